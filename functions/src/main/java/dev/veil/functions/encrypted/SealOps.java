package dev.veil.functions.encrypted;

import dev.veil.he.Ciphertext;
import dev.veil.he.CkksContext;
import dev.veil.he.GaloisKeys;
import dev.veil.he.ParmsId;
import dev.veil.he.Plaintext;
import dev.veil.he.RelinKeys;
import java.util.List;

/**
 * {@link SlotOps} on he-native ciphertexts with one client's evaluation keys.
 *
 * <p>Scales: a plaintext multiplied into a ciphertext is encoded at the scale of the prime the
 * following rescale drops, so the rescaled product has exactly the ciphertext's scale again;
 * products meant to join another term are encoded so they land on that term's scale. This is what
 * lets the plans add results of different depths without drifting scales.
 */
public final class SealOps implements SlotOps<Ciphertext> {

  private final SealEngine engine;
  private final GaloisKeys galoisKeys;
  private final RelinKeys relinKeys;

  public SealOps(SealEngine engine, GaloisKeys galoisKeys, RelinKeys relinKeys) {
    this.engine = engine;
    this.galoisKeys = galoisKeys;
    this.relinKeys = relinKeys;
  }

  private CkksContext context() {
    return engine.context();
  }

  /** The prime a rescale at this level drops: the last data prime of the level. */
  private double lastPrime(ParmsId level) {
    return context().parameters().coeffModulus()[context().primeCount(level) - 1];
  }

  @Override
  public int slotCount() {
    return context().slotCount();
  }

  @Override
  public Ciphertext rotate(Ciphertext x, int steps) {
    return engine.evaluator().rotate(x, steps, galoisKeys);
  }

  @Override
  public List<Ciphertext> rotateHoisted(Ciphertext x, int[] steps) {
    return engine.evaluator().rotateHoisted(x, steps, galoisKeys);
  }

  @Override
  public Ciphertext multiplyPlain(Ciphertext x, double[] values) {
    Plaintext plain = engine.encodeCached(values, lastPrime(x.parmsId()), x.parmsId());
    return engine.evaluator().multiplyPlain(x, plain);
  }

  /**
   * multiplyPlainShared and maskAndRescale split the rescaled prime q between weights and mask:
   * with input scale s and result scale R (the lowest prime less 8 bits), each plaintext gets
   * sqrt(R·q/s), e.g. 2^26 for s = 2^40, q ≈ 2^40, R = 2^52 — the weights' and mask's encodings
   * then err by ~1e-6 relative.
   */
  @Override
  public Ciphertext multiplyPlainShared(Ciphertext x, double[] values) {
    double share = Math.sqrt(resultScale() * lastPrime(x.parmsId()) / x.scale());
    return engine.evaluator().multiplyPlain(x, engine.encodeCached(values, share, x.parmsId()));
  }

  @Override
  public Ciphertext maskAndRescale(Ciphertext x, double[] mask) {
    double maskScale = resultScale() * lastPrime(x.parmsId()) / x.scale();
    try (Ciphertext product =
        engine.evaluator().multiplyPlain(x, engine.encodeCached(mask, maskScale, x.parmsId()))) {
      return engine.evaluator().rescaleToNext(product);
    }
  }

  /** The largest power of two the lowest prime holds with 8 bits left for the values. */
  private double resultScale() {
    double q0 = context().parameters().coeffModulus()[0];
    return Math.scalb(1.0, Math.getExponent(q0) - 8);
  }

  @Override
  public Ciphertext rescale(Ciphertext x) {
    return engine.evaluator().rescaleToNext(x);
  }

  @Override
  public Ciphertext add(Ciphertext a, Ciphertext b) {
    int la = context().chainIndex(a.parmsId());
    int lb = context().chainIndex(b.parmsId());
    if (la == lb) {
      return engine.evaluator().add(a, b);
    }
    Ciphertext high = la > lb ? a : b;
    Ciphertext low = la > lb ? b : a;
    try (Ciphertext lowered = engine.evaluator().modSwitchTo(high, low.parmsId())) {
      return engine.evaluator().add(lowered, low);
    }
  }

  @Override
  public Ciphertext addPlain(Ciphertext x, double[] values) {
    Plaintext plain = engine.encodeCached(values, x.scale(), x.parmsId());
    return engine.evaluator().addPlain(x, plain);
  }

  @Override
  public Ciphertext multiply(Ciphertext x, Ciphertext y) {
    if (relinKeys == null) {
      throw new IllegalStateException(
          "this model multiplies ciphertexts but the bundle has no relinearization keys");
    }
    int lx = context().chainIndex(x.parmsId());
    int ly = context().chainIndex(y.parmsId());
    Ciphertext a = x;
    Ciphertext b = y;
    if (lx > ly) {
      a = engine.evaluator().modSwitchTo(x, y.parmsId());
    } else if (ly > lx) {
      b = engine.evaluator().modSwitchTo(y, x.parmsId());
    }
    try (Ciphertext product =
            x == y ? engine.evaluator().square(x) : engine.evaluator().multiply(a, b);
        Ciphertext relinearized = engine.evaluator().relinearize(product, relinKeys)) {
      return engine.evaluator().rescaleToNext(relinearized);
    } finally {
      if (a != x) {
        a.close();
      }
      if (b != y) {
        b.close();
      }
    }
  }

  @Override
  public Ciphertext multiplyPlainTo(Ciphertext x, double[] values, Ciphertext like) {
    int target = context().chainIndex(like.parmsId());
    if (context().chainIndex(x.parmsId()) <= target) {
      throw new IllegalStateException("multiplyPlainTo needs a target below the input's level");
    }
    // bring x to one level above the target, then multiply so that the rescale lands on like's
    // scale
    ParmsId above = context().chain().get(context().chain().size() - 1 - (target + 1));
    Ciphertext lowered = x.parmsId().equals(above) ? x : engine.evaluator().modSwitchTo(x, above);
    double plainScale = like.scale() * lastPrime(above) / x.scale();
    try (Ciphertext product =
        engine.evaluator().multiplyPlain(lowered, engine.encodeCached(values, plainScale, above))) {
      return engine.evaluator().rescaleToNext(product);
    } finally {
      if (lowered != x) {
        lowered.close();
      }
    }
  }

  @Override
  public void release(Ciphertext x) {
    x.close();
  }
}
