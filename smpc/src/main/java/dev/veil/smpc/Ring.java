package dev.veil.smpc;

/**
 * Vector and matrix arithmetic in Z_2^64 (long arithmetic, which wraps). Matrices are row-major.
 */
public final class Ring {
  private Ring() {}

  public static long[] add(long[] a, long[] b) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  public static long[] sub(long[] a, long[] b) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] - b[i];
    }
    return out;
  }

  /** (n×k)·(k×m), accumulated into {@code out} (n×m). */
  public static void multiplyAdd(long[] a, long[] b, int n, int k, int m, long[] out) {
    for (int i = 0; i < n; i++) {
      int row = i * m;
      for (int p = 0; p < k; p++) {
        long x = a[i * k + p];
        if (x == 0) {
          continue;
        }
        int col = p * m;
        for (int j = 0; j < m; j++) {
          out[row + j] += x * b[col + j];
        }
      }
    }
  }

  public static long[] multiply(long[] a, long[] b, int n, int k, int m) {
    long[] out = new long[n * m];
    multiplyAdd(a, b, n, k, m, out);
    return out;
  }

  /** The transpose of an n×m matrix. */
  public static long[] transpose(long[] a, int n, int m) {
    long[] out = new long[a.length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        out[j * n + i] = a[i * m + j];
      }
    }
    return out;
  }
}
