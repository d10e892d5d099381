package dev.veil.he;

/** An encoded CKKS plaintext (NTT form at one level of the chain, with its scale). */
public final class Plaintext extends NativeObject {
  Plaintext(long handle) {
    super(PLAINTEXT, handle);
  }

  public static Plaintext load(CkksContext context, byte[] serialized) {
    return new Plaintext(Serialized.load(PLAINTEXT, context, serialized));
  }

  public byte[] save(Compression compression) {
    return Serialized.save(PLAINTEXT, this, compression);
  }

  public ParmsId parmsId() {
    return Serialized.parmsId(PLAINTEXT, this);
  }

  public double scale() {
    return Serialized.scale(PLAINTEXT, this);
  }
}
