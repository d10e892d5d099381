package dev.veil.functions.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MnistLinearModelTest {
  private final MnistLinearModel model = MnistLinearModel.bundled();

  @Test
  void testAccuracyRecomputedInJavaEqualsTheTrainingReport() {
    MnistDigits test = MnistDigits.testSplit();
    assertEquals(2000, test.labels().length);
    int correct = 0;
    for (int i = 0; i < test.labels().length; i++) {
      correct += model.predict(test.images()[i]) == test.labels()[i] ? 1 : 0;
    }
    MnistLinearModel.Metrics reported = model.reportedTest();
    assertEquals(reported.samples(), test.labels().length);
    assertEquals(reported.correct(), correct);
    assertTrue(reported.accuracy() > 0.9, "accuracy " + reported.accuracy());
  }

  @Test
  void weightsAreSmallEnoughForCkksPlaintexts() {
    double max = 0;
    for (double[] row : model.weights()) {
      for (double w : row) {
        max = Math.max(max, Math.abs(w));
      }
    }
    assertTrue(max < 1.0, "max |w| " + max);
  }

  @Test
  void predictionIsTheArgmaxOfTheScores() {
    double[] image = MnistDigits.testSplit().images()[0];
    double[] scores = model.scores(image);
    assertEquals(MnistLinearModel.CLASSES, scores.length);
    for (double s : scores) {
      assertTrue(s <= scores[model.predict(image)]);
    }
    assertEquals(2, MnistLinearModel.argmax(new double[] {0, 1, 3, 3, -1}));
  }

  @Test
  void rejectsImagesOfTheWrongSizeOrWithNonFinitePixels() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.scores(new double[783]));
    assertEquals("an image has 784 pixels (28x28); got 783", e.getMessage());
    double[] image = new double[784];
    image[100] = Double.NaN;
    e = assertThrows(IllegalArgumentException.class, () -> model.predict(image));
    assertEquals("pixel 100 is NaN; pixels must be finite", e.getMessage());
  }
}
