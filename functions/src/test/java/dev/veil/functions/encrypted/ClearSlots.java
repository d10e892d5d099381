package dev.veil.functions.encrypted;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link SlotOps} on cleartext slot vectors with CKKS's rotation semantics and a level budget:
 * checks the plans' index arithmetic and depth exactly, independently of any encryption. Releasing
 * a vector poisons it so a plan that uses a released intermediate fails.
 */
final class ClearSlots implements SlotOps<ClearSlots.Vec> {

  static final class Vec {
    double[] v;
    final int level;

    Vec(double[] v, int level) {
      this.v = v;
      this.level = level;
    }

    double[] values() {
      if (v == null) {
        throw new IllegalStateException("used after release");
      }
      return v;
    }
  }

  private final int slots;

  ClearSlots(int slots) {
    this.slots = slots;
  }

  Vec fresh(double[] values, int levels) {
    return new Vec(values.clone(), levels);
  }

  @Override
  public int slotCount() {
    return slots;
  }

  @Override
  public Vec rotate(Vec x, int steps) {
    double[] in = x.values();
    double[] out = new double[slots];
    for (int j = 0; j < slots; j++) {
      out[j] = in[Math.floorMod(j + steps, slots)];
    }
    return new Vec(out, x.level);
  }

  @Override
  public List<Vec> rotateHoisted(Vec x, int[] steps) {
    List<Vec> out = new ArrayList<>();
    for (int s : steps) {
      out.add(rotate(x, s));
    }
    return out;
  }

  @Override
  public Vec multiplyPlain(Vec x, double[] values) {
    double[] in = x.values();
    double[] out = new double[slots];
    for (int j = 0; j < slots; j++) {
      out[j] = in[j] * values[j];
    }
    return new Vec(out, x.level);
  }

  @Override
  public Vec multiplyPlainShared(Vec x, double[] values) {
    return multiplyPlain(x, values);
  }

  @Override
  public Vec maskAndRescale(Vec x, double[] mask) {
    return rescale(multiplyPlain(x, mask));
  }

  @Override
  public Vec rescale(Vec x) {
    return down(x.values().clone(), x.level, 1);
  }

  @Override
  public Vec add(Vec a, Vec b) {
    double[] out = new double[slots];
    for (int j = 0; j < slots; j++) {
      out[j] = a.values()[j] + b.values()[j];
    }
    return new Vec(out, Math.min(a.level, b.level));
  }

  @Override
  public Vec addPlain(Vec x, double[] values) {
    return add(x, new Vec(values, x.level));
  }

  @Override
  public Vec multiply(Vec x, Vec y) {
    double[] out = new double[slots];
    for (int j = 0; j < slots; j++) {
      out[j] = x.values()[j] * y.values()[j];
    }
    return down(out, Math.min(x.level, y.level), 1);
  }

  @Override
  public Vec multiplyPlainTo(Vec x, double[] values, Vec like) {
    if (like.level >= x.level) {
      throw new IllegalStateException("target level " + like.level + " is not below " + x.level);
    }
    double[] out = x.values().clone();
    for (int j = 0; j < slots; j++) {
      out[j] *= values[j];
    }
    return new Vec(out, like.level);
  }

  @Override
  public void release(Vec x) {
    x.v = null;
  }

  private static Vec down(double[] values, int level, int by) {
    if (level - by < 0) {
      throw new IllegalStateException("out of levels");
    }
    return new Vec(values, level - by);
  }
}
