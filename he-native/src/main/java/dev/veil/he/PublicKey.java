package dev.veil.he;

/** A public key (an encryption of zero at the key level); shareable with anyone who encrypts. */
public final class PublicKey extends NativeObject {
  PublicKey(long handle) {
    super(PUBLIC_KEY, handle);
  }

  /** Reads SEAL's serialized form (plain or seeded, any compression) for this context. */
  public static PublicKey load(CkksContext context, byte[] serialized) {
    return new PublicKey(Serialized.load(PUBLIC_KEY, context, serialized));
  }

  public byte[] save(Compression compression) {
    return Serialized.save(PUBLIC_KEY, this, compression);
  }

  public ParmsId parmsId() {
    return Serialized.parmsId(PUBLIC_KEY, this);
  }
}
