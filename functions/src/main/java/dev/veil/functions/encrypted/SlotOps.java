package dev.veil.functions.encrypted;

import java.util.List;

/**
 * The CKKS operations the encrypted models are written in, on ciphertexts of type {@code C}. Slots
 * are real numbers; "rotate by k" moves slot i+k to slot i (left), cyclically over all slots.
 *
 * <p>Scale bookkeeping belongs to the implementation: every operation documented as rescaling
 * returns a ciphertext one level down with the same scale as its input, so plans can add results of
 * different paths without tracking scales themselves.
 */
public interface SlotOps<C> {

  int slotCount();

  C rotate(C x, int steps);

  /**
   * Rotations of one ciphertext by several steps sharing one key-switching decomposition
   * (hoisting).
   */
  List<C> rotateHoisted(C x, int[] steps);

  /**
   * Slot-wise product with plaintext values, not yet rescaled; sum such products, then {@link
   * #rescale}.
   */
  C multiplyPlain(C x, double[] values);

  /** Ends a {@link #multiplyPlain} (sum): one level down, the input ciphertext's scale restored. */
  C rescale(C x);

  /**
   * Like {@link #multiplyPlain}, but leaving room in the coming rescale for one more plaintext
   * product: sum and rotate such products, then end with {@link #maskAndRescale}.
   */
  C multiplyPlainShared(C x, double[] values);

  /**
   * Ends a sum of {@link #multiplyPlainShared} products: slot-wise product with a 0/1 mask, then
   * one rescale. The result's scale is not the input's but the largest the lowest prime holds with
   * 8 bits to spare for the values (more scale, more precision), so only a model's last step may
   * use it.
   */
  C maskAndRescale(C x, double[] mask);

  /** Sum; the operand at the higher level is first brought down to the other's level. */
  C add(C a, C b);

  C addPlain(C x, double[] values);

  /** x·y relinearized and rescaled (one level). */
  C multiply(C x, C y);

  /**
   * Slot-wise product with plaintext values brought to exactly the level and scale of {@code like}
   * (at most one level below x, or lower), so it can be added to {@code like}.
   */
  C multiplyPlainTo(C x, double[] values, C like);

  /** Frees an intermediate result early; using it afterwards is an error. */
  void release(C x);
}
