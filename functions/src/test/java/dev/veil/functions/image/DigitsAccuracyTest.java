package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The digits CNN, served through the accelerator pool, reproduces the accuracy its training reported. */
class DigitsAccuracyTest {
  @Test
  void heldOutDigitsAsPngReachTheReportedAccuracy() throws Exception {
    JsonObject report;
    try (InputStream in = getClass().getResourceAsStream("/models/image/digits-cnn.json")) {
      report = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    List<TestImages.Digit> holdout = TestImages.holdout();
    assertEquals(report.getInteger("holdout_samples"), holdout.size());
    ImageModels digits = ImageModels.digits();
    int correct = 0;
    for (TestImages.Digit d : holdout) {
      List<Prediction> top5 = digits.classify(d.png());
      assertEquals(5, top5.size());
      if (top5.get(0).classIndex() == d.label()) correct++;
    }
    int reported = report.getInteger("holdout_correct");
    System.out.printf("digits through the pool: %d of %d correct (%.2f%%), training reported %d%n",
        correct, holdout.size(), 100.0 * correct / holdout.size(), reported);
    // Same pixels, same graph: only float rounding between PyTorch and ONNX Runtime may flip a borderline digit.
    assertTrue(Math.abs(correct - reported) <= 2, "correct " + correct + " of " + holdout.size() + ", training reported " + reported);
  }
}
