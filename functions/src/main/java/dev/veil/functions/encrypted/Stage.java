package dev.veil.functions.encrypted;

import java.util.TreeSet;

/** One step of an encrypted model's plan on packed slots. */
interface Stage {

  /** The step's result; {@code x} stays the caller's to release. */
  <C> C apply(SlotOps<C> ops, C x);

  /** The rotation steps it uses (the Galois keys it needs). */
  default TreeSet<Integer> rotationSteps() {
    return new TreeSet<>();
  }

  /** Rotations (key switches) per application. */
  default int rotationCount() {
    return 0;
  }
}
