package dev.veil.he;

/** Relinearization keys: switch the s^2 component of a product back to s. */
public final class RelinKeys extends NativeObject {
  RelinKeys(long handle) {
    super(RELIN_KEYS, handle);
  }

  /** Reads SEAL's serialized form (plain or seeded, any compression) for this context. */
  public static RelinKeys load(CkksContext context, byte[] serialized) {
    return new RelinKeys(Serialized.load(RELIN_KEYS, context, serialized));
  }

  public byte[] save(Compression compression) {
    return Serialized.save(RELIN_KEYS, this, compression);
  }

  public ParmsId parmsId() {
    return Serialized.parmsId(RELIN_KEYS, this);
  }
}
