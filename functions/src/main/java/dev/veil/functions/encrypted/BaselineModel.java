package dev.veil.functions.encrypted;

import java.util.List;

/**
 * The seed services' way of evaluating the same layers, kept as the benchmark's baseline: one
 * sample per ciphertext, the input replicated once (x‖x), and each vector-matrix product done as
 * TenSEAL does it (Halevi–Shoup diagonals: one rotation of the input per input dimension, each a
 * separate rotation of the original ciphertext, no hoisting, no baby-step/giant-step),
 * re-replicating each layer's output with one more rotation. With TenSEAL's default power-of-two
 * Galois keys each rotation by i is itself composed of several key switches.
 */
public final class BaselineModel {

  private final List<EncryptedModel.Layer> layers;
  private final int slotCount;
  private final int inputs;
  private final int outputs;
  private final java.util.Map<Integer, Activation> activations = new java.util.HashMap<>();

  public BaselineModel(List<EncryptedModel.Layer> layers, int slotCount) {
    this.layers = List.copyOf(layers);
    this.slotCount = slotCount;
    EncryptedModel.Linear first = (EncryptedModel.Linear) layers.get(0);
    this.inputs = first.weights()[0].length;
    int out = inputs;
    for (EncryptedModel.Layer layer : layers) {
      if (layer instanceof EncryptedModel.Linear l) {
        if (l.weights().length > l.weights()[0].length || 2 * l.weights()[0].length > slotCount) {
          throw new IllegalArgumentException(
              "the baseline handles layers with rows <= columns <= slots/2");
        }
        out = l.weights().length;
      }
    }
    this.outputs = out;
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) instanceof EncryptedModel.Polynomial p) {
        activations.put(i, new Activation(p, null, slotCount));
      }
    }
  }

  /** One sample: x‖x, as TenSEAL's vector-matrix product requires. */
  public double[] pack(double[] x) {
    double[] slots = new double[slotCount];
    System.arraycopy(x, 0, slots, 0, x.length);
    System.arraycopy(x, 0, slots, x.length, x.length);
    return slots;
  }

  public double[] unpack(double[] slots) {
    return java.util.Arrays.copyOf(slots, outputs);
  }

  public int inputs() {
    return inputs;
  }

  /**
   * Rotations per sample: (columns - 1) per linear layer plus one re-replication between layers.
   */
  public int rotationCount() {
    int count = 0;
    int linear = 0;
    for (EncryptedModel.Layer layer : layers) {
      if (layer instanceof EncryptedModel.Linear l) {
        count += l.weights()[0].length - 1;
        linear++;
      }
    }
    return count + (linear - 1);
  }

  public <C> C evaluate(SlotOps<C> ops, C x) {
    int lastLinear = 0;
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) instanceof EncryptedModel.Linear) {
        lastLinear = i;
      }
    }
    C current = x;
    for (int i = 0; i < layers.size(); i++) {
      C next;
      if (layers.get(i) instanceof EncryptedModel.Linear l) {
        next = vectorMatrix(ops, current, l);
        if (i < lastLinear) {
          // TenSEAL's replicate for the next product: v + rot(v, -size), v zero beyond its size.
          // Done before the slot-wise activation, which would fill the zero slots.
          C turned = ops.rotate(next, -l.weights().length);
          C both = ops.add(next, turned);
          ops.release(turned);
          ops.release(next);
          next = both;
        }
      } else {
        next = activations.get(i).apply(ops, current);
      }
      if (current != x) {
        ops.release(current);
      }
      current = next;
    }
    return current;
  }

  private <C> C vectorMatrix(SlotOps<C> ops, C x, EncryptedModel.Linear layer) {
    double[][] w = layer.weights();
    int rows = w.length;
    int cols = w[0].length;
    C sum = null;
    for (int i = 0; i < cols; i++) {
      double[] diagonal = new double[slotCount];
      for (int j = 0; j < rows; j++) {
        diagonal[j] = w[j][(j + i) % cols];
      }
      C rotated = i == 0 ? x : ops.rotate(x, i);
      C term = ops.multiplyPlain(rotated, diagonal);
      if (rotated != x) {
        ops.release(rotated);
      }
      if (sum == null) {
        sum = term;
      } else {
        C next = ops.add(sum, term);
        ops.release(sum);
        ops.release(term);
        sum = next;
      }
    }
    C y = ops.rescale(sum);
    ops.release(sum);
    if (layer.bias() != null) {
      C biased = ops.addPlain(y, java.util.Arrays.copyOf(layer.bias(), slotCount));
      ops.release(y);
      y = biased;
    }
    return y;
  }
}
