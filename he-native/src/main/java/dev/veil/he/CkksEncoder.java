package dev.veil.he;

/**
 * Encodes real vectors into CKKS plaintexts exactly as SEAL's CKKSEncoder does (same slot order,
 * FFT convention and rounding), so plaintexts line up with what SEAL clients encrypt and decrypt.
 * Safe to share between threads.
 */
public final class CkksEncoder extends NativeObject {
  private final CkksContext context;

  public CkksEncoder(CkksContext context) {
    super(ENCODER, create(context));
    this.context = context;
  }

  private static long create(CkksContext context) {
    try {
      return Native.encoderCreate(context.handle());
    } finally {
      keepAlive(context, null, null);
    }
  }

  public int slotCount() {
    return context.slotCount();
  }

  /** Encodes at the top data level; fewer values than slots are padded with zeros. */
  public Plaintext encode(double[] values, double scale) {
    return encode(values, scale, context.firstParmsId());
  }

  public Plaintext encode(double[] values, double scale, ParmsId level) {
    if (values.length > slotCount()) {
      throw new HeException(
          "cannot encode " + values.length + " values into " + slotCount() + " slots");
    }
    try {
      return new Plaintext(Native.encode(handle(), values, scale, level.words()));
    } finally {
      keepAlive(this, context, null);
    }
  }

  /** Encodes one value into every slot. */
  public Plaintext encode(double value, double scale, ParmsId level) {
    try {
      return new Plaintext(Native.encodeScalar(handle(), value, scale, level.words()));
    } finally {
      keepAlive(this, context, null);
    }
  }

  /** The real parts of all slots. */
  public double[] decode(Plaintext plain) {
    try {
      return Native.decode(handle(), plain.handle());
    } finally {
      keepAlive(this, plain, context);
    }
  }
}
