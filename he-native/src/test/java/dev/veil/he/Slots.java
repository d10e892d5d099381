package dev.veil.he;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;

/** Plaintext reference computations on slot vectors, and the error measure the tests report. */
final class Slots {
  private Slots() {}

  static double[] random(long seed, int slots) {
    Random r = new Random(seed);
    double[] v = new double[slots];
    for (int i = 0; i < slots; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return v;
  }

  static double[] zip(double[] a, double[] b, DoubleBinaryOperator op) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = op.applyAsDouble(a[i], b[i]);
    }
    return out;
  }

  static double[] negate(double[] a) {
    return zip(a, a, (x, y) -> -x);
  }

  static double[] fill(double value, int slots) {
    double[] v = new double[slots];
    Arrays.fill(v, value);
    return v;
  }

  /** SEAL's rotate_vector: a positive step moves slot i+step to slot i (cyclic). */
  static double[] rotate(double[] a, int steps) {
    int n = a.length;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = a[Math.floorMod(i + steps, n)];
    }
    return out;
  }

  static double maxAbsError(double[] expected, double[] actual) {
    if (actual.length < expected.length) {
      throw new AssertionError("decoded " + actual.length + " slots, expected " + expected.length);
    }
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.abs(expected[i] - actual[i]);
      if (Double.isNaN(e)) {
        return Double.POSITIVE_INFINITY;
      }
      max = Math.max(max, e);
    }
    return max;
  }
}
