package dev.veil.functions.encrypted;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps {@link SlotOps} and counts rotations (each one key switch; hoisted ones share a
 * decomposition), for reports.
 */
public final class CountingOps<C> implements SlotOps<C> {

  private final SlotOps<C> inner;
  private final AtomicLong rotations = new AtomicLong();

  public CountingOps(SlotOps<C> inner) {
    this.inner = inner;
  }

  public long rotations() {
    return rotations.get();
  }

  @Override
  public int slotCount() {
    return inner.slotCount();
  }

  @Override
  public C rotate(C x, int steps) {
    rotations.incrementAndGet();
    return inner.rotate(x, steps);
  }

  @Override
  public List<C> rotateHoisted(C x, int[] steps) {
    rotations.addAndGet(steps.length);
    return inner.rotateHoisted(x, steps);
  }

  @Override
  public C multiplyPlain(C x, double[] values) {
    return inner.multiplyPlain(x, values);
  }

  @Override
  public C multiplyPlainShared(C x, double[] values) {
    return inner.multiplyPlainShared(x, values);
  }

  @Override
  public C maskAndRescale(C x, double[] mask) {
    return inner.maskAndRescale(x, mask);
  }

  @Override
  public C rescale(C x) {
    return inner.rescale(x);
  }

  @Override
  public C add(C a, C b) {
    return inner.add(a, b);
  }

  @Override
  public C addPlain(C x, double[] values) {
    return inner.addPlain(x, values);
  }

  @Override
  public C multiply(C x, C y) {
    return inner.multiply(x, y);
  }

  @Override
  public C multiplyPlainTo(C x, double[] values, C like) {
    return inner.multiplyPlainTo(x, values, like);
  }

  @Override
  public void release(C x) {
    inner.release(x);
  }
}
