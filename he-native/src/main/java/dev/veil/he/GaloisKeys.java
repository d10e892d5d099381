package dev.veil.he;

/**
 * Galois keys: one key-switching key per Galois element, enabling rotations by the matching steps
 * and complex conjugation. Rotations by other steps are composed from the available keys.
 */
public final class GaloisKeys extends NativeObject {
  GaloisKeys(long handle) {
    super(GALOIS_KEYS, handle);
  }

  /** Reads SEAL's serialized form (plain or seeded, any compression) for this context. */
  public static GaloisKeys load(CkksContext context, byte[] serialized) {
    return new GaloisKeys(Serialized.load(GALOIS_KEYS, context, serialized));
  }

  public byte[] save(Compression compression) {
    return Serialized.save(GALOIS_KEYS, this, compression);
  }

  public ParmsId parmsId() {
    return Serialized.parmsId(GALOIS_KEYS, this);
  }

  /** The Galois elements that have a key, ascending. */
  public long[] galoisElements() {
    try {
      return Native.galoisElements(handle());
    } finally {
      keepAlive(this, null, null);
    }
  }
}
