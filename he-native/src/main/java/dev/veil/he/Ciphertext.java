package dev.veil.he;

/**
 * A CKKS ciphertext (in NTT form, as SEAL keeps them). Immutable: operations return new
 * ciphertexts.
 */
public final class Ciphertext extends NativeObject {
  Ciphertext(long handle) {
    super(CIPHERTEXT, handle);
  }

  /** Reads a SEAL-serialized ciphertext (plain or seeded, any compression) of this context. */
  public static Ciphertext load(CkksContext context, byte[] serialized) {
    return new Ciphertext(Serialized.load(CIPHERTEXT, context, serialized));
  }

  /**
   * Reads a SEAL-serialized ciphertext from {@code bytes[offset, offset + length)} where it lies (a
   * request body, say), with no copy of the range; with {@code base64} the range is its base64 text
   * (whitespace allowed, padding optional), decoded once into native memory.
   */
  public static Ciphertext load(
      CkksContext context, byte[] bytes, int offset, int length, boolean base64) {
    if (bytes == null) {
      throw new HeException("serialized bytes are missing (null)");
    }
    try {
      return new Ciphertext(Native.loadCiphertext(context.handle(), bytes, offset, length, base64));
    } finally {
      keepAlive(context, null, null);
    }
  }

  public byte[] save(Compression compression) {
    return Serialized.save(CIPHERTEXT, this, compression);
  }

  /**
   * Saves into a new array that has {@code before} bytes free, then the serialized ciphertext (as
   * base64 text when asked), then {@code after} bytes free: the caller writes what surrounds it (a
   * JSON body's field names, say) into the margins, so the result is written once, straight into
   * the array sent.
   */
  public byte[] save(Compression compression, boolean base64, int before, int after) {
    try {
      return Native.saveCiphertext(handle(), compression.code, base64, before, after);
    } finally {
      keepAlive(this, null, null);
    }
  }

  public ParmsId parmsId() {
    return Serialized.parmsId(CIPHERTEXT, this);
  }

  public double scale() {
    return Serialized.scale(CIPHERTEXT, this);
  }

  /** Number of polynomials: 2 when fresh or relinearized, 3 after a multiplication. */
  public int size() {
    try {
      return Native.ciphertextSize(handle());
    } finally {
      keepAlive(this, null, null);
    }
  }
}
