package dev.veil.smpc;

/**
 * One compute party's side of the online protocols, on additive shares over Z_2^64
 * (honest-but-curious, two parties plus a crypto provider that deals correlated randomness and
 * takes no part online). Each method runs the same steps on both parties with their own shares; a
 * round is one {@link Channel#exchange}.
 *
 * <table>
 *   <caption>Cost per operation (elements n; bytes sent by each party)</caption>
 *   <tr><th>operation</th><th>rounds</th><th>bytes sent per party</th><th>material (see {@link Plan})</th></tr>
 *   <tr><td>add, public scaling, truncation</td><td>0</td><td>0</td><td>none</td></tr>
 *   <tr><td>multiply (Beaver)</td><td>1</td><td>16n</td><td>triple[n]</td></tr>
 *   <tr><td>matrix multiply (n×k)(k×m)</td><td>1</td><td>8(nk + km)</td><td>matrix triple</td></tr>
 *   <tr><td>DReLU (x ≥ 0), FSS</td><td>1</td><td>8n</td><td>comparison[n] (1,583 B of DCF key each)</td></tr>
 *   <tr><td>ReLU = DReLU · x</td><td>2</td><td>24n</td><td>comparison[n] + triple[n]</td></tr>
 *   <tr><td>argmax over c values</td><td>1 + ⌈log2 (c − 1)⌉</td><td>8·c(c−1)/2 + 16·c(c − 2) per row</td><td>c(c − 1)/2 comparisons and c(c − 2) triple elements per row</td></tr>
 * </table>
 */
public final class Party {
  private final int id;
  private final Channel channel;
  private final Randomness material;
  private final FixedPoint fixedPoint;
  private long rounds;
  private long bytesSent;

  public Party(int id, Channel channel, Randomness material, FixedPoint fixedPoint) {
    if (id != 0 && id != 1) {
      throw new IllegalArgumentException("party is 0 or 1, got " + id);
    }
    this.id = id;
    this.channel = channel;
    this.material = material;
    this.fixedPoint = fixedPoint;
  }

  public int id() {
    return id;
  }

  public FixedPoint fixedPoint() {
    return fixedPoint;
  }

  /** Rounds (exchanges with the peer) so far. */
  public long rounds() {
    return rounds;
  }

  /** Bytes this party sent to the peer so far (payload: 8 per ring element). */
  public long bytesSent() {
    return bytesSent;
  }

  /** Reveals shared values to both parties: one round. */
  public long[] open(long[] share) {
    rounds++;
    bytesSent += 8L * share.length;
    long[] theirs = channel.exchange(share);
    if (theirs.length != share.length) {
      throw new Channel.PeerException(
          "peer sent " + theirs.length + " values, expected " + share.length);
    }
    return Ring.add(share, theirs);
  }

  /**
   * Adds a public vector: only party 0 adds it, so the sum of the shares moves by exactly {@code
   * c}.
   */
  public long[] addPublic(long[] x, long[] c) {
    return id == 0 ? Ring.add(x, c) : x.clone();
  }

  /** Multiplies by a public integer (no truncation needed). */
  public static long[] scale(long[] x, long c) {
    long[] out = new long[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * c;
    }
    return out;
  }

  /** Multiplies by a public real number: scale by its encoding, then truncate. */
  public long[] scale(long[] x, double c) {
    return truncate(scale(x, fixedPoint.encode(c)));
  }

  /**
   * Divides a shared value by 2^f locally (SecureML, Mohassel–Zhang 2017): party 0 shifts its
   * share, party 1 negates, shifts, negates. Error bound: if |x| &lt; 2^ℓ, the result is within one
   * unit (2^-f after decoding) of x / 2^f except with probability at most 2^(ℓ+1−64) per element,
   * when the shares straddle the ring's wrap point and the result is garbage. With f = 16 and
   * products below 2^40 (|value| &lt; 256 after decoding) that is at most 2^-23 per element.
   */
  public long[] truncate(long[] x) {
    int f = fixedPoint.fracBits();
    long[] out = new long[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = id == 0 ? x[i] >> f : -((-x[i]) >> f);
    }
    return out;
  }

  /** Elementwise product (no truncation): one round with a Beaver triple. */
  public long[] multiply(long[] x, long[] y) {
    int n = x.length;
    if (y.length != n) {
      throw new IllegalArgumentException(
          "multiplying vectors of " + n + " and " + y.length + " elements");
    }
    Randomness.Triple t = material.triple(n);
    long[] masked = new long[2 * n];
    for (int i = 0; i < n; i++) {
      masked[i] = x[i] - t.a()[i];
      masked[n + i] = y[i] - t.b()[i];
    }
    long[] opened = open(masked);
    long[] z = new long[n];
    for (int i = 0; i < n; i++) {
      long e = opened[i], f = opened[n + i];
      z[i] = t.c()[i] + e * t.b()[i] + f * t.a()[i] + (id == 0 ? e * f : 0);
    }
    return z;
  }

  /** Matrix product X (n×k) · Y (k×m), no truncation: one round with a Beaver matrix triple. */
  public long[] matrixMultiply(long[] x, long[] y, int n, int k, int m) {
    if (x.length != n * k || y.length != k * m) {
      throw new IllegalArgumentException(
          "matrix shapes do not fit: "
              + x.length
              + " and "
              + y.length
              + " elements for "
              + n
              + "x"
              + k
              + " · "
              + k
              + "x"
              + m);
    }
    Randomness.Triple t = material.matrixTriple(n, k, m);
    long[] masked = new long[n * k + k * m];
    for (int i = 0; i < n * k; i++) {
      masked[i] = x[i] - t.a()[i];
    }
    for (int i = 0; i < k * m; i++) {
      masked[n * k + i] = y[i] - t.b()[i];
    }
    long[] opened = open(masked);
    long[] e = java.util.Arrays.copyOfRange(opened, 0, n * k);
    long[] f = java.util.Arrays.copyOfRange(opened, n * k, opened.length);
    // X·Y = E·F + E·B + A·F + C; party 0 alone adds E·F
    long[] z = t.c().clone();
    long[] right = id == 0 ? Ring.add(t.b(), f) : t.b();
    Ring.multiplyAdd(e, right, n, k, m, z);
    Ring.multiplyAdd(t.a(), f, n, k, m, z);
    return z;
  }

  /**
   * X (n×k) · W (k×m) for model weights held as W = F + B: F public to both parties (opened once,
   * when the model was shared), B a fixed uniform mask known to the crypto provider, {@code
   * weightShare} this party's additive share of W (F + B0 for party 0, B1 for party 1). One round
   * that opens only E = X − A (8nk bytes), because the weights' side of the Beaver triple is the
   * same for every inference: X·W = E·W + A·F + A·B, with C = A·B dealt per inference; party j adds
   * E·W_j + A_j·F + C_j.
   */
  public long[] multiplyMasked(
      long[] x, int n, int k, int m, int layer, long[] masked, long[] weightShare) {
    if (x.length != n * k || masked.length != k * m || weightShare.length != k * m) {
      throw new IllegalArgumentException(
          "matrix shapes do not fit: "
              + x.length
              + " inputs and "
              + masked.length
              + " weights for "
              + n
              + "x"
              + k
              + " · "
              + k
              + "x"
              + m);
    }
    Randomness.Triple t = material.maskedTriple(n, k, m, layer);
    long[] e = open(Ring.sub(x, t.a()));
    long[] z = t.c().clone();
    Ring.multiplyAdd(e, weightShare, n, k, m, z);
    Ring.multiplyAdd(t.a(), masked, n, k, m, z);
    return z;
  }

  /**
   * Shares of the bit [x ≥ 0] (as the integer 0 or 1, not fixed-point), for x read as a signed
   * 64-bit value: one round. The parties open x + r for the dealer's mask r; with y = (x + r) mod
   * 2^63 and α = r mod 2^63, x's top bit is top(x + r) ⊕ top(r) ⊕ [y &lt; α]. The DCF key evaluates
   * β·[y &lt; α] with β = 1 − 2·top(r), which plus the shared top(r) is top(r) ⊕ [y &lt; α] —
   * linear in the shares, so no second round.
   */
  public long[] drelu(long[] x) {
    int n = x.length;
    Randomness.Comparison c = material.comparison(n);
    long[] masked = open(Ring.add(x, c.mask()));
    long[] low = new long[n];
    for (int i = 0; i < n; i++) {
      low[i] = masked[i] & Long.MAX_VALUE;
    }
    long[] lessThan = new Dcf().evaluate(id, c.rootHi(), c.rootLo(), c.words(), low);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long d = lessThan[i] + c.topBit()[i]; // shares of top(r) xor [y < alpha]
      long msb = masked[i] < 0 ? (id == 0 ? 1 : 0) - d : d;
      out[i] = (id == 0 ? 1 : 0) - msb;
    }
    return out;
  }

  /** max(x, 0): two rounds. */
  public long[] relu(long[] x) {
    return multiply(drelu(x), x);
  }

  /**
   * Shares of the index of the largest value in each row (an integer), and of its one-hot row
   * (rows×cols).
   */
  public record Max(long[] index, long[] oneHot) {}

  /**
   * Argmax of each of {@code rows} rows of {@code cols} values (row-major), shallow rather than a
   * tournament: one round compares every pair (b_ij = [x_i ≥ x_j] for i &lt; j, and 1 − b_ji for i
   * &gt; j, so ties go to the lower index as in a plaintext argmax), then value i is the maximum
   * iff all its c − 1 bits are 1: their product, multiplied pairwise in ⌈log2 (c − 1)⌉ rounds. For
   * c = 10: 1 + 4 = 5 rounds (a tournament takes 8), for 45 comparisons and 80 products per row.
   * Shares of integers, not fixed point.
   */
  public Max argmax(long[] x, int rows, int cols) {
    if (x.length != rows * cols || cols < 1) {
      throw new IllegalArgumentException(
          "argmax over " + x.length + " values is not " + rows + " rows of " + cols);
    }
    int pairs = cols * (cols - 1) / 2;
    long[] ge = new long[0];
    if (pairs > 0) {
      long[] diff = new long[rows * pairs];
      for (int r = 0, at = 0; r < rows; r++) {
        for (int i = 0; i < cols; i++) {
          for (int j = i + 1; j < cols; j++) {
            diff[at++] = x[r * cols + i] - x[r * cols + j];
          }
        }
      }
      ge = drelu(diff);
    }
    long one = id == 0 ? 1 : 0;
    int width = Math.max(1, cols - 1);
    long[][] factors = new long[rows * cols][width]; // the bits value i must win, per row
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < cols; i++) {
        long[] f = factors[r * cols + i];
        if (cols == 1) {
          f[0] = one; // a single value is the maximum
          continue;
        }
        int k = 0;
        for (int j = 0; j < cols; j++) {
          if (j != i) {
            int lo = Math.min(i, j), hi = Math.max(i, j);
            long b = ge[r * pairs + lo * cols - lo * (lo + 1) / 2 + (hi - lo - 1)]; // b_lo,hi
            f[k++] = i < j ? b : one - b;
          }
        }
      }
    }
    while (width > 1) {
      int half = width / 2;
      int n = rows * cols;
      long[] left = new long[n * half];
      long[] right = new long[n * half];
      for (int v = 0; v < n; v++) {
        for (int p = 0; p < half; p++) {
          left[v * half + p] = factors[v][2 * p];
          right[v * half + p] = factors[v][2 * p + 1];
        }
      }
      long[] products = multiply(left, right);
      int next = (width + 1) / 2;
      for (int v = 0; v < n; v++) {
        long[] f = new long[next];
        System.arraycopy(products, v * half, f, 0, half);
        if (width % 2 == 1) {
          f[next - 1] = factors[v][width - 1];
        }
        factors[v] = f;
      }
      width = next;
    }
    long[] oneHot = new long[rows * cols];
    long[] index = new long[rows];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < cols; i++) {
        oneHot[r * cols + i] = factors[r * cols + i][0];
        index[r] += i * oneHot[r * cols + i];
      }
    }
    return new Max(index, oneHot);
  }

  /**
   * Shares of [a == b] for shared integers (0 or 1): DReLU of a − b and of b − a (one round),
   * multiplied (one round).
   */
  public long[] equal(long[] a, long[] b) {
    int n = a.length;
    long[] both = new long[2 * n];
    for (int i = 0; i < n; i++) {
      both[i] = a[i] - b[i];
      both[n + i] = b[i] - a[i];
    }
    long[] ge = drelu(both);
    return multiply(
        java.util.Arrays.copyOfRange(ge, 0, n), java.util.Arrays.copyOfRange(ge, n, 2 * n));
  }
}
