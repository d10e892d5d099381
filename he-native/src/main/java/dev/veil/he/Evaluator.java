package dev.veil.he;

import java.util.ArrayList;
import java.util.List;

/**
 * Homomorphic operations on ciphertexts of one context. Inputs are never modified; each operation
 * returns a new object the caller must close. Safe to use from many threads at once.
 */
public final class Evaluator extends NativeObject {
  private final CkksContext context;

  public Evaluator(CkksContext context) {
    super(EVALUATOR, create(context));
    this.context = context;
  }

  private static long create(CkksContext context) {
    try {
      return Native.evaluatorCreate(context.handle());
    } finally {
      keepAlive(context, null, null);
    }
  }

  public CkksContext context() {
    return context;
  }

  public Ciphertext negate(Ciphertext a) {
    try {
      return new Ciphertext(Native.negate(handle(), a.handle()));
    } finally {
      keepAlive(this, a, null);
    }
  }

  public Ciphertext add(Ciphertext a, Ciphertext b) {
    try {
      return new Ciphertext(Native.add(handle(), a.handle(), b.handle()));
    } finally {
      keepAlive(this, a, b);
    }
  }

  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    try {
      return new Ciphertext(Native.sub(handle(), a.handle(), b.handle()));
    } finally {
      keepAlive(this, a, b);
    }
  }

  public Ciphertext addPlain(Ciphertext a, Plaintext plain) {
    try {
      return new Ciphertext(Native.addPlain(handle(), a.handle(), plain.handle()));
    } finally {
      keepAlive(this, a, plain);
    }
  }

  public Ciphertext subPlain(Ciphertext a, Plaintext plain) {
    try {
      return new Ciphertext(Native.subPlain(handle(), a.handle(), plain.handle()));
    } finally {
      keepAlive(this, a, plain);
    }
  }

  /**
   * Product with a plaintext at the same level; the result's scale is the product of the scales.
   */
  public Ciphertext multiplyPlain(Ciphertext a, Plaintext plain) {
    try {
      return new Ciphertext(Native.multiplyPlain(handle(), a.handle(), plain.handle()));
    } finally {
      keepAlive(this, a, plain);
    }
  }

  /** Product of two ciphertexts: a size-3 ciphertext, to be relinearized. */
  public Ciphertext multiply(Ciphertext a, Ciphertext b) {
    try {
      return new Ciphertext(Native.multiply(handle(), a.handle(), b.handle()));
    } finally {
      keepAlive(this, a, b);
    }
  }

  public Ciphertext square(Ciphertext a) {
    try {
      return new Ciphertext(Native.square(handle(), a.handle()));
    } finally {
      keepAlive(this, a, null);
    }
  }

  public Ciphertext relinearize(Ciphertext a, RelinKeys keys) {
    try {
      return new Ciphertext(Native.relinearize(handle(), a.handle(), keys.handle()));
    } finally {
      keepAlive(this, a, keys);
    }
  }

  /** Drops the last prime with rounding; the scale is divided by that prime. */
  public Ciphertext rescaleToNext(Ciphertext a) {
    try {
      return new Ciphertext(Native.rescaleToNext(handle(), a.handle()));
    } finally {
      keepAlive(this, a, null);
    }
  }

  /** Drops primes down to the given level without changing the scale. */
  public Ciphertext modSwitchTo(Ciphertext a, ParmsId level) {
    try {
      return new Ciphertext(Native.modSwitchTo(handle(), a.handle(), level.words()));
    } finally {
      keepAlive(this, a, null);
    }
  }

  public Plaintext modSwitchTo(Plaintext plain, ParmsId level) {
    try {
      return new Plaintext(Native.modSwitchPlainTo(handle(), plain.handle(), level.words()));
    } finally {
      keepAlive(this, plain, null);
    }
  }

  /**
   * Rotates the slots left by {@code steps} (negative: right). Uses the exact key when present,
   * otherwise composes the rotation from the available power-of-two keys.
   */
  public Ciphertext rotate(Ciphertext a, int steps, GaloisKeys keys) {
    try {
      return new Ciphertext(Native.rotate(handle(), a.handle(), steps, keys.handle()));
    } finally {
      keepAlive(this, a, keys);
    }
  }

  public Ciphertext conjugate(Ciphertext a, GaloisKeys keys) {
    try {
      return new Ciphertext(Native.conjugate(handle(), a.handle(), keys.handle()));
    } finally {
      keepAlive(this, a, keys);
    }
  }

  /**
   * Several rotations of one ciphertext sharing a single decomposition of it (hoisting), as a
   * matrix-vector product needs. Result i is the rotation by {@code steps[i]}.
   */
  public List<Ciphertext> rotateHoisted(Ciphertext a, int[] steps, GaloisKeys keys) {
    long[] handles;
    try {
      handles = Native.rotateHoisted(handle(), a.handle(), steps.clone(), keys.handle());
    } finally {
      keepAlive(this, a, keys);
    }
    List<Ciphertext> out = new ArrayList<>(handles.length);
    for (long h : handles) {
      out.add(new Ciphertext(h));
    }
    return out;
  }
}
