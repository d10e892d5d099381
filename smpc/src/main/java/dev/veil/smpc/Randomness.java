package dev.veil.smpc;

/**
 * A party's source of correlated randomness, consumed in plan order. {@link Material} serves what
 * the crypto provider dealt; {@link PlanRecorder} serves zeros and writes down what was asked.
 */
public interface Randomness {

  /** This party's shares of a, b and c = a·b (elementwise). */
  record Triple(long[] a, long[] b, long[] c) {}

  /**
   * This party's part of {@code n} DReLU gates: its share of each mask r, its share of r's top bit,
   * and its DCF key (own root seed, common correction words) for x &lt; (r mod 2^63) with β = ±1
   * chosen by r's top bit.
   */
  record Comparison(
      long[] mask, long[] topBit, long[] rootHi, long[] rootLo, Dcf.CorrectionWords words) {}

  Triple triple(int n);

  /** A (n×k), B (k×m), C = A·B (n×m). */
  Triple matrixTriple(int n, int k, int m);

  Comparison comparison(int n);

  /**
   * A (n×k) and C = A·B (n×m) for the fixed mask B (k×m) of model layer {@code layer}; b is null.
   */
  Triple maskedTriple(int n, int k, int m, int layer);
}
