package dev.veil.functions.encrypted;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * y = M·v + b on packed ciphertexts, by the hybrid (extended-diagonal) method with baby-step/giant-step
 * rotations, the baby steps hoisted.
 *
 * <p>Layout: the slots are cut into windows of {@code window} slots, one sample per window. Inside a window
 * the input vector is periodic with period {@code n} (the padded input length: the client writes its
 * padded vector repeated across the window, or the previous layer left it so). For an M with m (padded)
 * rows, z = Σ_{i<m} d_i ⊙ rot(v, i) with d_i[j] = M[j mod m][(j+i) mod n] puts in slot j the products of
 * row j mod m with a slice of v; summing the n/m blocks of z (log2(n/m) rotate-and-add steps) leaves
 * y periodic with period m, i.e. ready to be the next layer's input. The m diagonal rotations are split
 * into B baby steps (one hoisted batch) and G = m/B giant steps, with the diagonals pre-rotated so each
 * giant step rotates a sum: m - 1 rotations become (B - 1) + (G - 1).
 *
 * <p>Reading past a window's end would mix samples, so each layer shrinks the prefix of a window whose
 * slots are correct by {@link #validityLoss(int, int)}; the model picks a window large enough for all its layers.
 */
public final class MatVecPlan {

    private final int rows;
    private final int cols;
    private final int m;
    private final int n;
    private final int baby;
    private final int giant;
    /** [g][b]: diagonal g·B + b pre-rotated right by g·B; null where all zero. */
    private final double[][][] diagonals;
    private final double[] bias;
    private final int[] babySteps;

    private MatVecPlan(double[][] matrix, double[] bias, int window, int slotCount) {
        this.rows = matrix.length;
        this.cols = matrix[0].length;
        this.m = nextPowerOfTwo(rows);
        this.n = Math.max(nextPowerOfTwo(cols), m);
        if (window % n != 0 || slotCount % window != 0) {
            throw new IllegalArgumentException("window " + window + " must be a multiple of " + n
                + " and divide the slot count " + slotCount);
        }
        int logM = Integer.numberOfTrailingZeros(m);
        this.baby = 1 << ((logM + 1) / 2);
        this.giant = Math.max(1, m / baby);
        this.diagonals = new double[giant][][];
        for (int g = 0; g < giant; g++) {
            diagonals[g] = new double[Math.min(baby, m)][];
            for (int b = 0; b < diagonals[g].length; b++) {
                diagonals[g][b] = diagonal(matrix, g * baby + b, g * baby, window, slotCount);
            }
        }
        this.bias = bias == null ? null : periodic(bias, m, window, slotCount);
        List<Integer> steps = new ArrayList<>();
        for (int b = 1; b < Math.min(baby, m); b++) {
            steps.add(b);
        }
        this.babySteps = steps.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A plan for {@code matrix} (rows = outputs, columns = inputs) and optional bias. */
    public static MatVecPlan of(double[][] matrix, double[] bias, int window, int slotCount) {
        if (matrix.length == 0 || matrix[0].length == 0) {
            throw new IllegalArgumentException("matrix must not be empty");
        }
        for (double[] row : matrix) {
            if (row.length != matrix[0].length) {
                throw new IllegalArgumentException("matrix rows must have equal lengths");
            }
        }
        if (bias != null && bias.length != matrix.length) {
            throw new IllegalArgumentException("bias has " + bias.length + " entries for " + matrix.length + " rows");
        }
        return new MatVecPlan(matrix, bias, window, slotCount);
    }

    /** Padded input length: the period the input must have inside a window. */
    public static int inputPeriod(int rows, int cols) {
        return Math.max(nextPowerOfTwo(cols), nextPowerOfTwo(rows));
    }

    /** Slots at the end of a window's valid prefix that this layer's output loses: (m - 1) + (n - m). */
    public static int validityLoss(int rows, int cols) {
        return inputPeriod(rows, cols) - 1;
    }

    /** Every rotation step this plan uses (the Galois keys it needs). */
    public TreeSet<Integer> rotationSteps() {
        TreeSet<Integer> steps = new TreeSet<>();
        for (int b : babySteps) {
            steps.add(b);
        }
        for (int g = 1; g < giant; g++) {
            steps.add(g * baby);
        }
        for (int s = m; s < n; s *= 2) {
            steps.add(s);
        }
        return steps;
    }

    /** Rotations per application: (B - 1) hoisted + (G - 1) giant + log2(n/m) rotate-and-add. */
    public int rotationCount() {
        return babySteps.length + (giant - 1) + Integer.numberOfTrailingZeros(n / m);
    }

    public <C> C apply(SlotOps<C> ops, C x) {
        List<C> rotated = new ArrayList<>(babySteps.length + 1);
        rotated.add(x);
        if (babySteps.length > 0) {
            rotated.addAll(ops.rotateHoisted(x, babySteps));
        }
        C z = null;
        for (int g = 0; g < giant; g++) {
            C inner = null;
            for (int b = 0; b < diagonals[g].length; b++) {
                if (diagonals[g][b] == null) {
                    continue;
                }
                C term = ops.multiplyPlain(rotated.get(b), diagonals[g][b]);
                inner = accumulate(ops, inner, term);
            }
            if (inner == null) {
                continue;
            }
            C scaled = ops.rescale(inner);
            ops.release(inner);
            if (g > 0) {
                C turned = ops.rotate(scaled, g * baby);
                ops.release(scaled);
                scaled = turned;
            }
            z = accumulate(ops, z, scaled);
        }
        for (int b = 1; b < rotated.size(); b++) {
            ops.release(rotated.get(b));
        }
        if (z == null) {
            throw new IllegalStateException("matrix is all zeros");
        }
        for (int s = m; s < n; s *= 2) {
            C turned = ops.rotate(z, s);
            C sum = ops.add(z, turned);
            ops.release(turned);
            ops.release(z);
            z = sum;
        }
        if (bias != null) {
            C biased = ops.addPlain(z, bias);
            ops.release(z);
            z = biased;
        }
        return z;
    }

    private static <C> C accumulate(SlotOps<C> ops, C sum, C term) {
        if (sum == null) {
            return term;
        }
        C next = ops.add(sum, term);
        ops.release(sum);
        ops.release(term);
        return next;
    }

    /** d_i pre-rotated right by {@code shift}: slot j holds d_i[j - shift]. Null when all zero. */
    private double[] diagonal(double[][] matrix, int i, int shift, int window, int slotCount) {
        double[] d = new double[slotCount];
        boolean any = false;
        for (int j = 0; j < slotCount; j++) {
            int local = j % window;
            int r = local % m;
            int k = (local + i) % n;
            double v = r < rows && k < cols ? matrix[r][k] : 0.0;
            if (v != 0.0) {
                d[Math.floorMod(j + shift, slotCount)] = v;
                any = true;
            }
        }
        return any ? d : null;
    }

    /** {@code values} (padded with zeros to {@code period}) repeated across all slots. */
    static double[] periodic(double[] values, int period, int window, int slotCount) {
        double[] out = new double[slotCount];
        for (int j = 0; j < slotCount; j++) {
            int k = (j % window) % period;
            out[j] = k < values.length ? values[k] : 0.0;
        }
        return out;
    }

    static int nextPowerOfTwo(int v) {
        return v <= 1 ? 1 : Integer.highestOneBit(v - 1) << 1;
    }
}
