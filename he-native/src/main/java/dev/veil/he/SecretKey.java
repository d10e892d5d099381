package dev.veil.he;

/** The secret key (a ternary polynomial at the key level). Only the client holds it. */
public final class SecretKey extends NativeObject {
  SecretKey(long handle) {
    super(SECRET_KEY, handle);
  }

  /** Reads SEAL's serialized form (plain or seeded, any compression) for this context. */
  public static SecretKey load(CkksContext context, byte[] serialized) {
    return new SecretKey(Serialized.load(SECRET_KEY, context, serialized));
  }

  public byte[] save(Compression compression) {
    return Serialized.save(SECRET_KEY, this, compression);
  }

  public ParmsId parmsId() {
    return Serialized.parmsId(SECRET_KEY, this);
  }
}
