package dev.veil.smpc;

/**
 * Fixed-point numbers in the ring Z_2^64: a real v is the long round(v · 2^f), with f fractional
 * bits. Java's long arithmetic wraps modulo 2^64, which is exactly the ring the shares live in;
 * negative numbers are the upper half of the ring (two's complement).
 *
 * <p>A product of two encoded numbers carries 2f fractional bits and is brought back with {@link
 * Party#truncate} (local, SecureML-style; see there for its error bound).
 */
public record FixedPoint(int fracBits) {

  /** The default: 16 fractional bits, a resolution of 2^-16 ≈ 1.5e-5. */
  public static final FixedPoint DEFAULT = new FixedPoint(16);

  public FixedPoint {
    if (fracBits < 1 || fracBits > 30) {
      throw new IllegalArgumentException(
          "fractional bits must be between 1 and 30, got " + fracBits);
    }
  }

  /** The value of one unit in the last place, 2^-f. */
  public double ulp() {
    return Math.scalb(1.0, -fracBits);
  }

  /**
   * The largest magnitude that encodes without leaving the signed range (with room for one
   * product).
   */
  public double maxMagnitude() {
    return Math.scalb(1.0, 62 - 2 * fracBits);
  }

  public long encode(double v) {
    if (!Double.isFinite(v) || Math.abs(v) >= maxMagnitude()) {
      throw new IllegalArgumentException(
          "value "
              + v
              + " is not finite or too large for "
              + fracBits
              + " fractional bits (|v| < "
              + maxMagnitude()
              + ")");
    }
    return Math.round(Math.scalb(v, fracBits));
  }

  public long[] encode(double[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = encode(v[i]);
    }
    return out;
  }

  public double decode(long v) {
    return Math.scalb((double) v, -fracBits);
  }

  public double[] decode(long[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = decode(v[i]);
    }
    return out;
  }
}
