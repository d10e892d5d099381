package dev.veil.functions.encrypted;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A model evaluated on packed CKKS ciphertexts: linear layers ({@link MatVecPlan}) and slot-wise
 * polynomial activations ({@link Activation}), for one slot count. Describes the client's side of
 * the contract too: how to pack samples, where the outputs land, which rotations (Galois keys) and
 * how many levels it needs. Every result slot that is not an output decrypts to noise only: the
 * last layer masks them ({@link MaskedSum} when an activation precedes it, else a masked {@link
 * MatVecPlan}).
 */
public final class EncryptedModel {

  /** A layer of the plaintext model; the encrypted plan for a slot count is derived from these. */
  public sealed interface Layer permits Linear, Polynomial {}

  /** y = W·x + b, W given as rows (outputs) × columns (inputs). */
  public record Linear(double[][] weights, double[] bias) implements Layer {}

  /** y = c0 + c1·x + c2·x² + c3·x³ slot-wise. */
  public record Polynomial(double c0, double c1, double c2, double c3) implements Layer {
    int levels() {
      return c2 != 0 || c3 != 0 ? 2 : 1;
    }

    double apply(double x) {
      return c0 + x * (c1 + x * (c2 + x * c3));
    }
  }

  private final List<Layer> layers;
  private final List<Stage> stages = new ArrayList<>();
  private final int inputs;
  private final int outputs;
  private final int inputPeriod;
  private final int window;
  private final int slotCount;

  private EncryptedModel(List<Layer> layers, int slotCount) {
    if (layers.isEmpty() || !(layers.get(0) instanceof Linear first)) {
      throw new IllegalArgumentException("a model starts with a linear layer");
    }
    if (!(layers.get(layers.size() - 1) instanceof Linear)) {
      // the last linear layer masks every slot but the outputs; a polynomial after it would undo
      // that
      throw new IllegalArgumentException("a model ends with a linear layer");
    }
    this.layers = List.copyOf(layers);
    this.slotCount = slotCount;
    this.inputs = first.weights()[0].length;
    this.inputPeriod = MatVecPlan.inputPeriod(first.weights().length, inputs);
    // the outputs are masked by the last layer: a MaskedSum folded into the activation before it,
    // else the plan
    int last = layers.size() - 1;
    boolean folded = last > 0 && layers.get(last - 1) instanceof Polynomial;
    int loss = 0;
    int out = inputs;
    for (int i = 0; i <= last; i++) {
      if (layers.get(i) instanceof Linear linear) {
        if (linear.weights()[0].length != out) {
          throw new IllegalArgumentException(
              "layer expects "
                  + linear.weights()[0].length
                  + " inputs but the previous layer has "
                  + out
                  + " outputs");
        }
        loss +=
            folded && i == last
                ? MaskedSum.reach(linear.weights().length, out)
                : MatVecPlan.validityLoss(linear.weights().length, out);
        out = linear.weights().length;
      }
    }
    this.outputs = out;
    int w = inputPeriod;
    while (w - loss < outputs) {
      w *= 2;
    }
    if (w > slotCount) {
      throw new IllegalArgumentException(
          "the model needs windows of " + w + " slots but a ciphertext has " + slotCount);
    }
    this.window = w;
    MaskedSum output = folded ? new MaskedSum((Linear) layers.get(last), window, slotCount) : null;
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      if (output != null && i >= last - 1) {
        stages.add(
            i == last
                ? output
                : new Activation((Polynomial) layer, output.slotWeights(), slotCount));
      } else if (layer instanceof Linear l) {
        stages.add(MatVecPlan.of(l.weights(), l.bias(), window, slotCount, i == last));
      } else {
        stages.add(new Activation((Polynomial) layer, null, slotCount));
      }
    }
  }

  public static EncryptedModel of(List<Layer> layers, int slotCount) {
    return new EncryptedModel(layers, slotCount);
  }

  public List<Layer> layers() {
    return layers;
  }

  public int slotCount() {
    return slotCount;
  }

  /** Features per sample. */
  public int inputs() {
    return inputs;
  }

  public int outputs() {
    return outputs;
  }

  /** The sample's features are zero-padded to this length and repeated across its window. */
  public int inputPeriod() {
    return inputPeriod;
  }

  /**
   * Slots per sample: sample s occupies slots [s·window, (s+1)·window); its outputs are the first
   * slots.
   */
  public int window() {
    return window;
  }

  public int samplesPerCiphertext() {
    return slotCount / window;
  }

  /**
   * Multiplicative depth: rescales performed, so the ciphertext needs this many data primes plus
   * one.
   */
  public int levels() {
    int levels = 0;
    for (Layer layer : layers) {
      levels += layer instanceof Polynomial p ? p.levels() : 1;
    }
    return levels;
  }

  public boolean needsRelinKeys() {
    return layers.stream().anyMatch(l -> l instanceof Polynomial p && (p.c2() != 0 || p.c3() != 0));
  }

  /** The rotation steps for which the client must supply Galois keys. */
  public TreeSet<Integer> rotationSteps() {
    TreeSet<Integer> steps = new TreeSet<>();
    for (Stage stage : stages) {
      steps.addAll(stage.rotationSteps());
    }
    return steps;
  }

  public int rotationCount() {
    return stages.stream().mapToInt(Stage::rotationCount).sum();
  }

  /**
   * Packs up to {@link #samplesPerCiphertext()} samples into one slot vector, as the client does.
   */
  public double[] pack(List<double[]> samples) {
    if (samples.isEmpty() || samples.size() > samplesPerCiphertext()) {
      throw new IllegalArgumentException(
          "pack 1 to " + samplesPerCiphertext() + " samples, got " + samples.size());
    }
    double[] slots = new double[slotCount];
    for (int s = 0; s < samples.size(); s++) {
      double[] x = samples.get(s);
      if (x.length != inputs) {
        throw new IllegalArgumentException(
            "sample " + s + " has " + x.length + " features, expected " + inputs);
      }
      for (int j = 0; j < window; j++) {
        int k = j % inputPeriod;
        slots[s * window + j] = k < inputs ? x[k] : 0.0;
      }
    }
    return slots;
  }

  /** The outputs of the first {@code count} samples from decrypted slots. */
  public double[][] unpack(double[] slots, int count) {
    double[][] out = new double[count][outputs];
    for (int s = 0; s < count; s++) {
      System.arraycopy(slots, s * window, out[s], 0, outputs);
    }
    return out;
  }

  public <C> C evaluate(SlotOps<C> ops, C x) {
    C current = x;
    for (Stage stage : stages) {
      C next = stage.apply(ops, current);
      if (current != x) {
        ops.release(current);
      }
      current = next;
    }
    return current;
  }

  /** The same model on plaintext doubles: what the encrypted result must approximate. */
  public double[] evaluatePlain(double[] x) {
    double[] v = x.clone();
    for (Layer layer : layers) {
      if (layer instanceof Linear l) {
        double[] y = new double[l.weights().length];
        for (int r = 0; r < y.length; r++) {
          double sum = l.bias() == null ? 0 : l.bias()[r];
          for (int k = 0; k < v.length; k++) {
            sum += l.weights()[r][k] * v[k];
          }
          y[r] = sum;
        }
        v = y;
      } else {
        Polynomial p = (Polynomial) layer;
        for (int k = 0; k < v.length; k++) {
          v[k] = p.apply(v[k]);
        }
      }
    }
    return v;
  }
}
