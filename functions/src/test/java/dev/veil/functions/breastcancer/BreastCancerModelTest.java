package dev.veil.functions.breastcancer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BreastCancerModelTest {
  private final BreastCancerModel model = BreastCancerModel.bundled();

  @Test
  void validationMetricsRecomputedInJavaEqualTheTrainingReport() {
    WdbcData validation = WdbcData.validation();
    assertEquals(114, validation.labels().length);
    int[] predicted = model.predict(validation.features()).labels();
    int correct = 0;
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int i = 0; i < predicted.length; i++) {
      int truth = validation.labels()[i];
      correct += predicted[i] == truth ? 1 : 0;
      tp += predicted[i] == 1 && truth == 1 ? 1 : 0;
      fp += predicted[i] == 1 && truth == 0 ? 1 : 0;
      fn += predicted[i] == 0 && truth == 1 ? 1 : 0;
    }
    BreastCancerModel.Metrics reported = model.reportedValidation();
    assertEquals(reported.samples(), predicted.length);
    assertEquals(reported.correct(), correct);
    assertEquals(reported.accuracy(), correct / 114.0, 1e-12);
    assertEquals(reported.f1Malignant(), 2.0 * tp / (2 * tp + fp + fn), 1e-12);
    // at least as good as the seed notebook (0.956 accuracy, 0.944 F1)
    assertTrue(reported.accuracy() >= 0.956, "accuracy " + reported.accuracy());
    assertTrue(reported.f1Malignant() >= 0.944, "F1 " + reported.f1Malignant());
  }

  @Test
  void validationRowsAreDistinctRowsOfTheData() {
    int[] rows = model.validationRows();
    assertEquals(114, Arrays.stream(rows).distinct().count());
    int size = WdbcData.load().labels().length;
    assertTrue(Arrays.stream(rows).allMatch(r -> r >= 0 && r < size));
  }

  @Test
  void hiddenPreActivationsStayWhereTheCubicApproximatesTheSigmoid() {
    // the cubic rises only on |t| <= 4.05; beyond that it no longer behaves like a sigmoid
    double[][] w1 = model.hiddenWeights();
    double[] b1 = model.hiddenBias();
    double[] mean = model.scalerMean();
    double[] std = model.scalerStd();
    double reach = 0;
    for (double[] row : WdbcData.load().features()) {
      for (int j = 0; j < b1.length; j++) {
        double t = b1[j];
        for (int i = 0; i < row.length; i++) {
          t += w1[j][i] * (row[i] - mean[i]) / std[i];
        }
        reach = Math.max(reach, Math.abs(t));
      }
    }
    assertTrue(reach < 4.0, "max |pre-activation| " + reach);
  }

  @Test
  void activationIsTheCubicSigmoidApproximation() {
    assertArrayEquals(new double[] {0.5, 0.197, 0.0, -0.004}, model.activationCoefficients());
    for (double t : new double[] {-4, -1.5, 0, 0.3, 2, 4}) {
      assertEquals(0.5 + 0.197 * t - 0.004 * t * t * t, model.activation(t), 1e-15);
    }
  }

  @Test
  void probabilitiesAreTheSoftmaxOfTheScoresAndLabelsTheirArgmax() {
    double[][] rows = WdbcData.validation().features();
    double[][] scores = model.scores(rows);
    BreastCancerModel.Prediction prediction = model.predict(rows);
    for (int r = 0; r < rows.length; r++) {
      double[] p = prediction.probabilities()[r];
      assertEquals(1.0, p[0] + p[1], 1e-12);
      assertEquals(1 / (1 + Math.exp(scores[r][0] - scores[r][1])), p[1], 1e-12);
      assertEquals(scores[r][1] > scores[r][0] ? 1 : 0, prediction.labels()[r]);
    }
  }

  @Test
  void accessorsReturnCopies() {
    double[][] w1 = model.hiddenWeights();
    double before = w1[0][0];
    w1[0][0] += 1;
    model.validationRows()[0] = -1;
    assertEquals(before, model.hiddenWeights()[0][0]);
    assertTrue(model.validationRows()[0] >= 0);
  }

  @Test
  void rejectsEmptyBatch() {
    assertMessage("the batch is empty", () -> model.predict(new double[0][]));
    assertMessage("the batch is empty", () -> model.predict(null));
  }

  @Test
  void rejectsWrongFeatureCountNamingTheRow() {
    double[][] rows = {new double[30], new double[29]};
    assertMessage("row 1 has 29 values; the model expects 30 features", () -> model.predict(rows));
    assertMessage("row 0 has 0 values", () -> model.predict(new double[][] {null}));
  }

  @Test
  void rejectsNonFiniteValuesNamingTheFeature() {
    double[] row = WdbcData.validation().features()[0];
    row[4] = Double.NaN;
    assertMessage(
        "row 0, feature 4 (mean_smoothness) is NaN", () -> model.predict(new double[][] {row}));
    row[4] = Double.POSITIVE_INFINITY;
    assertMessage("is Infinity; values must be finite", () -> model.scores(new double[][] {row}));
  }

  @Test
  void refusesModelFilesWithMismatchedShapes() {
    String wrongFormat = "{\"format\": \"something-else\"}";
    IOException e =
        assertThrows(IOException.class, () -> BreastCancerModel.read(stream(wrongFormat)));
    assertTrue(e.getMessage().contains("unsupported model format"), e.getMessage());
    String shortScaler =
        "{\"format\":\"veil-mlp/1\",\"features\":[\"a\",\"b\"],"
            + "\"scaler\":{\"mean\":[0],\"std\":[1]},\"activation\":{\"polynomial\":[0.5],\"appliedAfter\":\"hidden\"},"
            + "\"layers\":[{\"weights\":[[1,1]],\"bias\":[0]},{\"weights\":[[1],[1]],\"bias\":[0,0]}],"
            + "\"split\":{\"validationRows\":[]},\"metrics\":{\"validation\":{}}}";
    e = assertThrows(IOException.class, () -> BreastCancerModel.read(stream(shortScaler)));
    assertEquals("scaler mean must have 2 values", e.getMessage());
  }

  private static ByteArrayInputStream stream(String json) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertMessage(
      String expectedPart, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
  }
}
