package dev.veil.functions.encrypted;

/** SEAL's mapping from a slot rotation to the Galois element whose key performs it. */
final class GaloisElements {

  private GaloisElements() {}

  /**
   * Rotation left by {@code step} slots in a ring of degree n is the automorphism X → X^(3^step mod
   * 2n); a right rotation by k is the left rotation by n/2 − k.
   */
  static long forStep(int step, int n) {
    int half = n / 2;
    if (step == 0 || Math.abs(step) >= half) {
      throw new IllegalArgumentException(
          "rotation step " + step + " is out of range for " + half + " slots");
    }
    int exponent = step > 0 ? step : half + step;
    long m = 2L * n;
    long element = 1;
    for (int i = 0; i < exponent; i++) {
      element = element * 3 % m;
    }
    return element;
  }
}
