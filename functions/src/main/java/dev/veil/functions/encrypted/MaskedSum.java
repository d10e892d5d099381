package dev.veil.functions.encrypted;

import java.util.TreeSet;

/**
 * A model's last linear layer when an activation precedes it. Its weights ride on the activation's
 * per-slot coefficients ({@link #slotWeights()}), so what is left is summing slots, a 0/1 mask and
 * the bias; the level the weight products would have spent pays for the mask instead (exact scales,
 * nothing traded), with log2(n) rotations — never more than {@link MatVecPlan}'s hybrid plan for
 * the same layer.
 *
 * <p>Layout: the input (the previous linear layer's output) is periodic with period n = next power
 * of two of the columns, so slot p holds unit p mod n. Output o (slot o of each window) sums the
 * slots o + s for s in S, S made by rotate-and-add steps: R, 2R, … (R = next power of two of the
 * rows) through the multiples of R below n, then T, 2T, … with T = max(n, R) + 1 through the other
 * residues mod n. So each output meets every unit exactly once, and no slot serves two outputs (two
 * offsets of S never differ by less than R): each slot carries the one weight of its output, and
 * the mask then removes every slot that is not an output.
 */
final class MaskedSum implements Stage {

  private final int[] steps;
  private final double[] slotWeights;
  private final double[] mask;
  private final double[] bias;

  MaskedSum(EncryptedModel.Linear layer, int window, int slotCount) {
    double[][] w = layer.weights();
    int rows = w.length;
    int n = MatVecPlan.nextPowerOfTwo(w[0].length);
    int r = MatVecPlan.nextPowerOfTwo(rows);
    int inner = Math.max(1, n / r);
    int outer = n / inner;
    int t = Math.max(n, r) + 1;
    TreeSet<Integer> s = new TreeSet<>();
    for (int k = 1; k < inner; k *= 2) {
      s.add(r * k);
    }
    for (int k = 1; k < outer; k *= 2) {
      s.add(t * k);
    }
    this.steps = s.stream().mapToInt(Integer::intValue).toArray();
    this.slotWeights = new double[slotCount];
    for (int start = 0; start < slotCount; start += window) {
      for (int o = 0; o < rows; o++) {
        for (int a = 0; a < inner; a++) {
          for (int b = 0; b < outer; b++) {
            int p = o + r * a + t * b;
            int unit = p % n;
            slotWeights[start + p] = unit < w[o].length ? w[o][unit] : 0.0;
          }
        }
      }
    }
    this.mask = MatVecPlan.outputSlots(MatVecPlan.ones(rows), window, slotCount);
    this.bias =
        layer.bias() == null ? null : MatVecPlan.outputSlots(layer.bias(), window, slotCount);
  }

  /**
   * The largest slot offset an output reads (a window's valid prefix must reach that far past it).
   */
  static int reach(int rows, int cols) {
    int n = MatVecPlan.nextPowerOfTwo(cols);
    int r = MatVecPlan.nextPowerOfTwo(rows);
    int inner = Math.max(1, n / r);
    return r * (inner - 1) + (Math.max(n, r) + 1) * (n / inner - 1);
  }

  /**
   * Per-slot factors for the preceding activation: the weight of the output and unit each slot
   * serves.
   */
  double[] slotWeights() {
    return slotWeights;
  }

  @Override
  public TreeSet<Integer> rotationSteps() {
    TreeSet<Integer> out = new TreeSet<>();
    for (int step : steps) {
      out.add(step);
    }
    return out;
  }

  @Override
  public int rotationCount() {
    return steps.length;
  }

  @Override
  public <C> C apply(SlotOps<C> ops, C x) {
    C z = x;
    for (int step : steps) {
      C turned = ops.rotate(z, step);
      C sum = ops.add(z, turned);
      ops.release(turned);
      if (z != x) {
        ops.release(z);
      }
      z = sum;
    }
    C product = ops.multiplyPlain(z, mask);
    if (z != x) {
      ops.release(z);
    }
    C y = ops.rescale(product);
    ops.release(product);
    if (bias != null) {
      C biased = ops.addPlain(y, bias);
      ops.release(y);
      y = biased;
    }
    return y;
  }
}
