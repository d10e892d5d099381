package dev.veil.functions.encrypted;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * y = M·v + b on packed ciphertexts, by the hybrid (extended-diagonal) method with
 * baby-step/giant-step rotations, the baby steps hoisted.
 *
 * <p>Layout: the slots are cut into windows of {@code window} slots, one sample per window. Inside
 * a window the input vector is periodic with period {@code n} (the padded input length: the client
 * writes its padded vector repeated across the window, or the previous layer left it so). For an M
 * with m (padded) rows, z = Σ_{i<m} d_i ⊙ rot(v, i) with d_i[j] = M[j mod m][(j+i) mod n] puts in
 * slot j the products of row j mod m with a slice of v; summing the n/m blocks of z (log2(n/m)
 * rotate-and-add steps) leaves y periodic with period m, i.e. ready to be the next layer's input.
 * The m diagonal rotations are split into B baby steps (one hoisted batch) and G = m/B giant steps,
 * with the diagonals pre-rotated so each giant step rotates a sum: m - 1 rotations become (B - 1) +
 * (G - 1).
 *
 * <p>Reading past a window's end would mix samples, so each layer shrinks the prefix of a window
 * whose slots are correct by {@link #validityLoss(int, int)}; the model picks a window large enough
 * for all its layers.
 *
 * <p>Output masking (a model's last layer): the client decrypts every slot, and the slots around
 * the outputs would hold partial sums that reveal weights, so a masked plan leaves only noise
 * there. A giant step moves each product to exactly one slot, so when there is no rotate-and-add (m
 * = n) zeroing the diagonal entries whose product lands outside an output masks for free. The
 * rotate-and-add spreads every slot over n/m others and cannot be masked through the diagonals;
 * then the plan multiplies by a 0/1 mask inside the layer's one rescale ({@link
 * SlotOps#multiplyPlainShared}, {@link SlotOps#maskAndRescale}): no extra level or rotation, one
 * more plaintext product, and the giant steps and rotate-and-add run before the rescale, one prime
 * higher. (After an activation, {@link MaskedSum} does better.)
 */
public final class MatVecPlan implements Stage {

  private final int rows;
  private final int cols;
  private final int m;
  private final int n;
  private final int baby;
  private final int giant;

  /** [g][b]: diagonal g·B + b pre-rotated right by g·B; null where all zero. */
  private final double[][][] diagonals;

  private final double[] bias;
  private final int[] babySteps;

  /**
   * Set when outputs are masked and a rotate-and-add remains: the 0/1 mask applied inside the
   * rescale.
   */
  private final double[] mask;

  private final boolean masked;

  private MatVecPlan(
      double[][] matrix, double[] bias, int window, int slotCount, boolean maskOutputs) {
    this.rows = matrix.length;
    this.cols = matrix[0].length;
    this.m = nextPowerOfTwo(rows);
    this.n = Math.max(nextPowerOfTwo(cols), m);
    if (window % n != 0 || slotCount % window != 0) {
      throw new IllegalArgumentException(
          "window "
              + window
              + " must be a multiple of "
              + n
              + " and divide the slot count "
              + slotCount);
    }
    this.masked = maskOutputs;
    this.baby = 1 << ((Integer.numberOfTrailingZeros(m) + 1) / 2);
    this.giant = Math.max(1, m / baby);
    this.diagonals = new double[giant][][];
    for (int g = 0; g < giant; g++) {
      diagonals[g] = new double[Math.min(baby, m)][];
      for (int b = 0; b < diagonals[g].length; b++) {
        diagonals[g][b] = diagonal(matrix, g * baby + b, g * baby, window, slotCount);
      }
    }
    this.mask = maskOutputs && m < n ? outputSlots(ones(rows), window, slotCount) : null;
    this.bias =
        bias == null
            ? null
            : maskOutputs
                ? outputSlots(bias, window, slotCount)
                : periodic(bias, m, window, slotCount);
    List<Integer> steps = new ArrayList<>();
    for (int b = 1; b < Math.min(baby, m); b++) {
      steps.add(b);
    }
    this.babySteps = steps.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * A plan for {@code matrix} (rows = outputs, columns = inputs) and optional bias. With {@code
   * maskOutputs} every slot but the first {@code rows} of each window decrypts to noise only (a
   * model's last layer).
   */
  public static MatVecPlan of(
      double[][] matrix, double[] bias, int window, int slotCount, boolean maskOutputs) {
    if (matrix.length == 0 || matrix[0].length == 0) {
      throw new IllegalArgumentException("matrix must not be empty");
    }
    for (double[] row : matrix) {
      if (row.length != matrix[0].length) {
        throw new IllegalArgumentException("matrix rows must have equal lengths");
      }
    }
    if (bias != null && bias.length != matrix.length) {
      throw new IllegalArgumentException(
          "bias has " + bias.length + " entries for " + matrix.length + " rows");
    }
    return new MatVecPlan(matrix, bias, window, slotCount, maskOutputs);
  }

  /** Padded input length: the period the input must have inside a window. */
  public static int inputPeriod(int rows, int cols) {
    return Math.max(nextPowerOfTwo(cols), nextPowerOfTwo(rows));
  }

  /**
   * Slots at the end of a window's valid prefix that this layer's output loses: (m - 1) + (n - m).
   */
  public static int validityLoss(int rows, int cols) {
    return inputPeriod(rows, cols) - 1;
  }

  /** Every rotation step this plan uses (the Galois keys it needs). */
  @Override
  public TreeSet<Integer> rotationSteps() {
    TreeSet<Integer> steps = new TreeSet<>();
    for (int b : babySteps) {
      steps.add(b);
    }
    for (int g = 1; g < giant; g++) {
      steps.add(g * baby);
    }
    for (int s = m; s < n; s *= 2) {
      steps.add(s);
    }
    return steps;
  }

  /** Rotations per application: (B - 1) hoisted + (G - 1) giant + log2(n/m) rotate-and-add. */
  @Override
  public int rotationCount() {
    return babySteps.length + (giant - 1) + Integer.numberOfTrailingZeros(n / m);
  }

  @Override
  public <C> C apply(SlotOps<C> ops, C x) {
    List<C> rotated = new ArrayList<>(babySteps.length + 1);
    rotated.add(x);
    if (babySteps.length > 0) {
      rotated.addAll(ops.rotateHoisted(x, babySteps));
    }
    // a mask after the rotate-and-add shares the layer's rescale: the products leave room for it
    boolean deferRescale = mask != null;
    C z = null;
    for (int g = 0; g < giant; g++) {
      C inner = null;
      for (int b = 0; b < diagonals[g].length; b++) {
        if (diagonals[g][b] == null) {
          continue;
        }
        C term =
            deferRescale
                ? ops.multiplyPlainShared(rotated.get(b), diagonals[g][b])
                : ops.multiplyPlain(rotated.get(b), diagonals[g][b]);
        inner = accumulate(ops, inner, term);
      }
      if (inner == null) {
        continue;
      }
      C scaled = inner;
      if (!deferRescale) {
        scaled = ops.rescale(inner);
        ops.release(inner);
      }
      if (g > 0) {
        C turned = ops.rotate(scaled, g * baby);
        ops.release(scaled);
        scaled = turned;
      }
      z = accumulate(ops, z, scaled);
    }
    for (int b = 1; b < rotated.size(); b++) {
      ops.release(rotated.get(b));
    }
    if (z == null) {
      throw new IllegalStateException("matrix is all zeros");
    }
    for (int s = m; s < n; s *= 2) {
      C turned = ops.rotate(z, s);
      C sum = ops.add(z, turned);
      ops.release(turned);
      ops.release(z);
      z = sum;
    }
    if (deferRescale) {
      C masked = ops.maskAndRescale(z, mask);
      ops.release(z);
      z = masked;
    }
    if (bias != null) {
      C biased = ops.addPlain(z, bias);
      ops.release(z);
      z = biased;
    }
    return z;
  }

  private static <C> C accumulate(SlotOps<C> ops, C sum, C term) {
    if (sum == null) {
      return term;
    }
    C next = ops.add(sum, term);
    ops.release(sum);
    ops.release(term);
    return next;
  }

  /** d_i pre-rotated right by {@code shift}: slot j holds d_i[j - shift]. Null when all zero. */
  private double[] diagonal(double[][] matrix, int i, int shift, int window, int slotCount) {
    double[] d = new double[slotCount];
    boolean any = false;
    for (int j = 0; j < slotCount; j++) {
      int local = j % window;
      int r = local % m;
      int k = (local + i) % n;
      // masked without rotate-and-add: the product ends in slot j itself, so keep outputs only
      boolean dropped = masked && m == n && local >= rows;
      double v = r < rows && k < cols && !dropped ? matrix[r][k] : 0.0;
      if (v != 0.0) {
        d[Math.floorMod(j + shift, slotCount)] = v;
        any = true;
      }
    }
    return any ? d : null;
  }

  /** {@code values} (padded with zeros to {@code period}) repeated across all slots. */
  static double[] periodic(double[] values, int period, int window, int slotCount) {
    double[] out = new double[slotCount];
    for (int j = 0; j < slotCount; j++) {
      int k = (j % window) % period;
      out[j] = k < values.length ? values[k] : 0.0;
    }
    return out;
  }

  /** values[k] in slot k of every window, zero elsewhere: where a masked layer's outputs are. */
  static double[] outputSlots(double[] values, int window, int slotCount) {
    double[] out = new double[slotCount];
    for (int start = 0; start < slotCount; start += window) {
      System.arraycopy(values, 0, out, start, values.length);
    }
    return out;
  }

  static double[] ones(int count) {
    double[] v = new double[count];
    Arrays.fill(v, 1.0);
    return v;
  }

  static int nextPowerOfTwo(int v) {
    return v <= 1 ? 1 : Integer.highestOneBit(v - 1) << 1;
  }
}
