package dev.veil.functions.encrypted;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A model evaluated on packed CKKS ciphertexts: linear layers ({@link MatVecPlan}) and slot-wise
 * polynomial activations, for one slot count. Describes the client's side of the contract too: how to pack
 * samples, where the outputs land, which rotations (Galois keys) and how many levels it needs.
 */
public final class EncryptedModel {

    /** A layer of the plaintext model; the encrypted plan for a slot count is derived from these. */
    public sealed interface Layer permits Linear, Polynomial {
    }

    /** y = W·x + b, W given as rows (outputs) × columns (inputs). */
    public record Linear(double[][] weights, double[] bias) implements Layer {
    }

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
    private final List<Object> stages = new ArrayList<>();
    private final int inputs;
    private final int outputs;
    private final int inputPeriod;
    private final int window;
    private final int slotCount;

    private EncryptedModel(List<Layer> layers, int slotCount) {
        if (layers.isEmpty() || !(layers.get(0) instanceof Linear first)) {
            throw new IllegalArgumentException("a model starts with a linear layer");
        }
        this.layers = List.copyOf(layers);
        this.slotCount = slotCount;
        this.inputs = first.weights()[0].length;
        this.inputPeriod = MatVecPlan.inputPeriod(first.weights().length, inputs);
        int loss = 0;
        int out = inputs;
        for (Layer layer : layers) {
            if (layer instanceof Linear linear) {
                if (linear.weights()[0].length != out) {
                    throw new IllegalArgumentException("layer expects " + linear.weights()[0].length
                        + " inputs but the previous layer has " + out + " outputs");
                }
                loss += MatVecPlan.validityLoss(linear.weights().length, out);
                out = linear.weights().length;
            }
        }
        this.outputs = out;
        int w = inputPeriod;
        while (w - loss < outputs) {
            w *= 2;
        }
        if (w > slotCount) {
            throw new IllegalArgumentException("the model needs windows of " + w + " slots but a ciphertext has "
                + slotCount);
        }
        this.window = w;
        for (Layer layer : layers) {
            stages.add(layer instanceof Linear l ? MatVecPlan.of(l.weights(), l.bias(), window, slotCount) : layer);
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

    /** Slots per sample: sample s occupies slots [s·window, (s+1)·window); its outputs are the first slots. */
    public int window() {
        return window;
    }

    public int samplesPerCiphertext() {
        return slotCount / window;
    }

    /** Multiplicative depth: rescales performed, so the ciphertext needs this many data primes plus one. */
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
        for (Object stage : stages) {
            if (stage instanceof MatVecPlan plan) {
                steps.addAll(plan.rotationSteps());
            }
        }
        return steps;
    }

    public int rotationCount() {
        return stages.stream().mapToInt(s -> s instanceof MatVecPlan p ? p.rotationCount() : 0).sum();
    }

    /** Packs up to {@link #samplesPerCiphertext()} samples into one slot vector, as the client does. */
    public double[] pack(List<double[]> samples) {
        if (samples.isEmpty() || samples.size() > samplesPerCiphertext()) {
            throw new IllegalArgumentException("pack 1 to " + samplesPerCiphertext() + " samples, got " + samples.size());
        }
        double[] slots = new double[slotCount];
        for (int s = 0; s < samples.size(); s++) {
            double[] x = samples.get(s);
            if (x.length != inputs) {
                throw new IllegalArgumentException("sample " + s + " has " + x.length + " features, expected " + inputs);
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
        for (Object stage : stages) {
            C next = stage instanceof MatVecPlan plan ? plan.apply(ops, current) : polynomial(ops, current, (Polynomial) stage);
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

    /** c0 + c1·x + c2·x² + c3·x³ in depth 2: x³ = x² · (c3·x); lower terms are brought to its level and scale. */
    static <C> C polynomial(SlotOps<C> ops, C x, Polynomial p) {
        C y;
        if (p.c2() == 0 && p.c3() == 0) {
            y = ops.multiplyConstant(x, p.c1());
        } else {
            C square = ops.multiply(x, x);
            if (p.c3() != 0) {
                C scaled = ops.multiplyConstant(x, p.c3());
                y = ops.multiply(square, scaled);
                ops.release(scaled);
                if (p.c2() != 0) {
                    y = addInto(ops, y, ops.multiplyConstantTo(square, p.c2(), y));
                }
            } else {
                y = ops.multiplyConstant(square, p.c2());
            }
            ops.release(square);
            if (p.c1() != 0) {
                y = addInto(ops, y, ops.multiplyConstantTo(x, p.c1(), y));
            }
        }
        if (p.c0() != 0) {
            C shifted = ops.addConstant(y, p.c0());
            ops.release(y);
            y = shifted;
        }
        return y;
    }

    private static <C> C addInto(SlotOps<C> ops, C sum, C term) {
        C next = ops.add(sum, term);
        ops.release(sum);
        ops.release(term);
        return next;
    }
}
