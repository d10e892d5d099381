package dev.veil.smpc;

/**
 * Two-party additive secret sharing over Z_2^64: x = x0 + x1 (mod 2^64) with x0 uniform, so each
 * share alone is uniform and says nothing about x.
 */
public final class Shares {
  private Shares() {}

  /**
   * Splits {@code x} into two shares: {@code [0]} uniform from {@code prg}, {@code [1]} = x − share
   * 0.
   */
  public static long[][] split(long[] x, Prg prg) {
    long[] s0 = prg.longs(x.length);
    long[] s1 = new long[x.length];
    for (int i = 0; i < x.length; i++) {
      s1[i] = x[i] - s0[i];
    }
    return new long[][] {s0, s1};
  }

  public static long[] reconstruct(long[] s0, long[] s1) {
    if (s0.length != s1.length) {
      throw new IllegalArgumentException(
          "shares have different lengths: " + s0.length + " and " + s1.length);
    }
    long[] x = new long[s0.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = s0[i] + s1[i];
    }
    return x;
  }
}
