package dev.veil.functions.encrypted;

import java.util.Arrays;

/**
 * The slot-wise polynomial activation c0 + c1·x + c2·x² + c3·x³ in depth 2 (x³ = x² · (c3·x); lower
 * terms brought to its level and scale). Its coefficients are per-slot vectors, so a following
 * layer's weights can ride on them for free ({@link MaskedSum}).
 */
final class Activation implements Stage {

  private final EncryptedModel.Polynomial p;
  private final double[] c0;
  private final double[] c1;
  private final double[] c2;
  private final double[] c3;

  /**
   * @param slotFactors null, or a factor per slot that multiplies every coefficient there
   */
  Activation(EncryptedModel.Polynomial p, double[] slotFactors, int slotCount) {
    this.p = p;
    double[] factors = slotFactors != null ? slotFactors : MatVecPlan.ones(slotCount);
    this.c0 = times(factors, p.c0());
    this.c1 = times(factors, p.c1());
    this.c2 = times(factors, p.c2());
    this.c3 = times(factors, p.c3());
  }

  private static double[] times(double[] v, double c) {
    return Arrays.stream(v).map(x -> x * c).toArray();
  }

  @Override
  public <C> C apply(SlotOps<C> ops, C x) {
    C y;
    if (p.c2() == 0 && p.c3() == 0) {
      y = productRescaled(ops, x, c1);
    } else {
      C square = ops.multiply(x, x);
      if (p.c3() != 0) {
        C scaled = productRescaled(ops, x, c3);
        y = ops.multiply(square, scaled);
        ops.release(scaled);
        if (p.c2() != 0) {
          y = addInto(ops, y, ops.multiplyPlainTo(square, c2, y));
        }
      } else {
        y = productRescaled(ops, square, c2);
      }
      ops.release(square);
      if (p.c1() != 0) {
        y = addInto(ops, y, ops.multiplyPlainTo(x, c1, y));
      }
    }
    if (p.c0() != 0) {
      C shifted = ops.addPlain(y, c0);
      ops.release(y);
      y = shifted;
    }
    return y;
  }

  private static <C> C productRescaled(SlotOps<C> ops, C x, double[] values) {
    C product = ops.multiplyPlain(x, values);
    C rescaled = ops.rescale(product);
    ops.release(product);
    return rescaled;
  }

  private static <C> C addInto(SlotOps<C> ops, C sum, C term) {
    C next = ops.add(sum, term);
    ops.release(sum);
    ops.release(term);
    return next;
  }
}
