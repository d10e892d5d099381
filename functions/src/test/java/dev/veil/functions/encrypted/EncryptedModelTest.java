package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The plans' slot arithmetic, depth and rotation counts, checked on cleartext slots (no
 * encryption).
 */
class EncryptedModelTest {

  private static final Random RANDOM = new Random(42);

  static double[][] matrix(int rows, int cols) {
    double[][] w = new double[rows][cols];
    for (double[] row : w) {
      for (int k = 0; k < cols; k++) {
        row[k] = RANDOM.nextGaussian();
      }
    }
    return w;
  }

  static double[] vector(int n) {
    double[] v = new double[n];
    for (int k = 0; k < n; k++) {
      v[k] = RANDOM.nextGaussian();
    }
    return v;
  }

  static List<EncryptedModel.Layer> mnistShape() {
    return List.of(new EncryptedModel.Linear(matrix(10, 784), vector(10)));
  }

  static List<EncryptedModel.Layer> breastCancerShape() {
    return List.of(
        new EncryptedModel.Linear(matrix(16, 30), vector(16)),
        new EncryptedModel.Polynomial(0.5, 0.197, 0, -0.004),
        new EncryptedModel.Linear(matrix(2, 16), vector(2)));
  }

  /**
   * Packs random samples into all but the last window, evaluates, compares every window's outputs,
   * and checks that every other slot is exactly zero: nothing but the outputs reaches the client.
   */
  private static void assertMatchesPlain(EncryptedModel model, int levels) {
    ClearSlots ops = new ClearSlots(model.slotCount());
    List<double[]> samples = new ArrayList<>();
    for (int s = 0; s < model.samplesPerCiphertext() - 1; s++) {
      samples.add(vector(model.inputs()));
    }
    ClearSlots.Vec out = model.evaluate(ops, ops.fresh(model.pack(samples), levels));
    assertEquals(levels - model.levels(), out.level);
    double[][] got = model.unpack(out.values(), samples.size());
    for (int s = 0; s < samples.size(); s++) {
      assertArrayEquals(model.evaluatePlain(samples.get(s)), got[s], 1e-9, "sample " + s);
    }
    // the empty window scores an all-zero sample
    double[] zero = model.evaluatePlain(new double[model.inputs()]);
    double[] slots = out.values();
    for (int j = 0; j < slots.length; j++) {
      int k = j % model.window();
      if (k >= model.outputs()) {
        assertEquals(0.0, slots[j], 0.0, "slot " + j + " is not an output");
      } else if (j / model.window() >= samples.size()) {
        assertEquals(zero[k], slots[j], 1e-9, "slot " + j);
      }
    }
  }

  @Test
  void mnistLinearModelAtN8192() {
    EncryptedModel model = EncryptedModel.of(mnistShape(), 4096);
    assertEquals(1024, model.inputPeriod());
    assertEquals(2048, model.window());
    assertEquals(2, model.samplesPerCiphertext());
    assertEquals(1, model.levels());
    assertEquals(Set.of(1, 2, 3, 4, 8, 12, 16, 32, 64, 128, 256, 512), model.rotationSteps());
    assertEquals(12, model.rotationCount());
    assertTrue(!model.needsRelinKeys());
    assertMatchesPlain(model, 2);
  }

  @Test
  void breastCancerMlpPacksMany() {
    EncryptedModel model = EncryptedModel.of(breastCancerShape(), 8192);
    assertEquals(32, model.inputPeriod());
    assertEquals(64, model.window());
    assertEquals(128, model.samplesPerCiphertext());
    assertEquals(4, model.levels());
    assertTrue(model.needsRelinKeys());
    // layer 1: baby 1-3, giant 4-12, rotate-and-add 16; the last layer (folded into the
    // activation): 2, 4, 8, 17
    assertEquals(Set.of(1, 2, 3, 4, 8, 12, 16, 17), model.rotationSteps());
    assertEquals(11, model.rotationCount());
    assertMatchesPlain(model, 6);
    assertMatchesPlain(EncryptedModel.of(breastCancerShape(), 4096), 4);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            EncryptedModel.of(
                List.of(
                    new EncryptedModel.Linear(matrix(2, 3), null),
                    new EncryptedModel.Polynomial(0, 1, 1, 0)),
                1024));
  }

  @Test
  void rotationCountsAreAQuarterOfTheBaselineOrLess() {
    for (var layers : List.of(mnistShape(), breastCancerShape())) {
      EncryptedModel model = EncryptedModel.of(layers, 4096);
      BaselineModel baseline = new BaselineModel(layers, 4096);
      CountingOps<ClearSlots.Vec> ours = new CountingOps<>(new ClearSlots(4096));
      CountingOps<ClearSlots.Vec> theirs = new CountingOps<>(new ClearSlots(4096));
      double[] x = vector(model.inputs());
      ClearSlots.Vec a =
          model.evaluate(ours, new ClearSlots(4096).fresh(model.pack(List.of(x)), 6));
      ClearSlots.Vec b = baseline.evaluate(theirs, new ClearSlots(4096).fresh(baseline.pack(x), 6));
      assertArrayEquals(model.evaluatePlain(x), model.unpack(a.values(), 1)[0], 1e-9);
      assertArrayEquals(model.evaluatePlain(x), baseline.unpack(b.values()), 1e-9);
      assertEquals(model.rotationCount(), ours.rotations());
      assertEquals(baseline.rotationCount(), theirs.rotations());
      assertTrue(
          4 * ours.rotations() <= theirs.rotations(),
          ours.rotations() + " vs " + theirs.rotations());
    }
  }

  @Test
  void maskedLastLayersOfManyShapes() {
    // square last plan (mask in the diagonals), hybrid plan (mask in the rescale), folded sums with
    // rows
    // below, equal to and above the columns' period
    for (int[] shape : new int[][] {{8, 8}, {3, 8}, {2, 40}, {1, 5}, {4, 4}, {16, 4}, {5, 3}}) {
      int rows = shape[0];
      int cols = shape[1];
      assertMatchesPlain(
          EncryptedModel.of(
              List.of(new EncryptedModel.Linear(matrix(rows, cols), vector(rows))), 2048),
          1);
      EncryptedModel mlp =
          EncryptedModel.of(
              List.of(
                  new EncryptedModel.Linear(matrix(cols, 6), vector(cols)),
                  new EncryptedModel.Polynomial(0.3, 0.5, 0.1, -0.02),
                  new EncryptedModel.Linear(matrix(rows, cols), vector(rows))),
              2048);
      assertMatchesPlain(mlp, mlp.levels());
    }
  }

  @Test
  void oddShapesAndPaddingStayExact() {
    List<EncryptedModel.Layer> layers =
        List.of(
            new EncryptedModel.Linear(matrix(5, 7), null),
            new EncryptedModel.Polynomial(0.1, -0.3, 0.2, 0.05),
            new EncryptedModel.Linear(matrix(3, 5), vector(3)),
            new EncryptedModel.Polynomial(0, 2, 0, 0),
            new EncryptedModel.Linear(matrix(9, 3), vector(9)));
    EncryptedModel model = EncryptedModel.of(layers, 1024);
    assertMatchesPlain(model, model.levels());
  }
}
