package dev.veil.he;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The parameter sets issue 3 names for the compatibility proof. {@code tolerance} bounds the max
 * abs error of any operation on values in [-1, 1]; it follows from the scale (fresh noise is about
 * 2^-(scaleBits-12), a product with rescale and a key switch add little more).
 */
enum ParameterSet {
  N8192_218(8192, new int[] {60, 40, 40, 60}, 40, new int[] {0, 1, 2, 4, -1}, 1e-4),
  N16384_SEED(
      16384, new int[] {40, 30, 30, 30, 30, 30, 30, 40}, 30, new int[] {0, 1, 2, 4, -1}, 1e-2),
  N16384_438(
      16384, new int[] {60, 40, 40, 40, 40, 40, 40, 40, 60}, 40, new int[] {0, 1, 2, 4, -1}, 1e-4),
  /**
   * The deep chain (12 primes): a reduced set of operations, keys generated once and saved with
   * zstd (each seeded key is ~30 MB and takes SEAL tens of seconds on this machine), ciphertexts in
   * every mode.
   */
  N32768_DEEP(
      32768, new int[] {60, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 60}, 40, new int[] {1}, 1e-4);

  final int n;
  final int[] bits;
  final int scaleBits;
  final int[] rotationSteps;
  final double tolerance;

  ParameterSet(int n, int[] bits, int scaleBits, int[] rotationSteps, double tolerance) {
    this.n = n;
    this.bits = bits;
    this.scaleBits = scaleBits;
    this.rotationSteps = rotationSteps;
    this.tolerance = tolerance;
  }

  double scale() {
    return Math.scalb(1.0, scaleBits);
  }

  boolean reduced() {
    return this == N32768_DEEP;
  }

  @Override
  public String toString() {
    return "N="
        + n
        + " ["
        + Arrays.stream(bits).mapToObj(Integer::toString).collect(Collectors.joining(","))
        + "] scale=2^"
        + scaleBits;
  }
}
