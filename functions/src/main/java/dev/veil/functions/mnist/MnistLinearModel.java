package dev.veil.functions.mnist;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.ModelResources;
import java.io.IOException;
import java.io.InputStream;

/**
 * The MNIST multinomial logistic-regression model trained by {@code
 * functions/training/mnist/train.py}: {@code scores = W·x + b} over 784 pixels (28×28, row-major,
 * scaled to [0, 1]), prediction = argmax. The encrypted MNIST function evaluates the same {@code
 * W·x + b} with W and b as CKKS plaintexts. Immutable and thread-safe; accessors return copies.
 */
public final class MnistLinearModel {

  /** Classpath location of the bundled model file. */
  public static final String RESOURCE = "/models/mnist-logistic.json";

  /** Input size: 28×28 pixels. */
  public static final int PIXELS = 784;

  /** Output size: digits 0–9. */
  public static final int CLASSES = 10;

  private final double[][] weights;
  private final double[] bias;
  private final Metrics reportedTest;

  /** Test-split accuracy as the training run measured it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Metrics(int samples, int correct, double accuracy) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record ModelFile(
      String format, int inputs, double[][] weights, double[] bias, ReportedMetrics metrics) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record ReportedMetrics(Metrics test) {}

  private static final class Bundled {
    static final MnistLinearModel MODEL =
        ModelResources.load(MnistLinearModel.class, RESOURCE, MnistLinearModel::read);
  }

  /** The model bundled with this jar, loaded once on first use. */
  public static MnistLinearModel bundled() {
    return Bundled.MODEL;
  }

  /** Reads a model file in the {@code veil-linear/1} format and checks its shapes. */
  public static MnistLinearModel read(InputStream in) throws IOException {
    ModelFile file = new ObjectMapper().readValue(in, ModelFile.class);
    if (!"veil-linear/1".equals(file.format())) {
      throw new IOException(
          "unsupported model format " + file.format() + "; expected veil-linear/1");
    }
    if (file.weights() == null
        || file.weights().length != CLASSES
        || file.bias() == null
        || file.bias().length != CLASSES
        || file.metrics() == null) {
      throw new IOException(
          "model file needs " + CLASSES + " weight rows, " + CLASSES + " biases and metrics");
    }
    for (double[] row : file.weights()) {
      if (row == null || row.length != PIXELS) {
        throw new IOException("every weight row must have " + PIXELS + " values");
      }
    }
    return new MnistLinearModel(file.weights(), file.bias(), file.metrics().test());
  }

  private MnistLinearModel(double[][] weights, double[] bias, Metrics reportedTest) {
    this.weights = weights;
    this.bias = bias;
    this.reportedTest = reportedTest;
  }

  /**
   * The 10 scores for one image.
   *
   * @throws IllegalArgumentException when the image does not have 784 finite values
   */
  public double[] scores(double[] pixels) {
    if (pixels == null || pixels.length != PIXELS) {
      throw new IllegalArgumentException(
          "an image has "
              + PIXELS
              + " pixels (28x28); got "
              + (pixels == null ? 0 : pixels.length));
    }
    for (int i = 0; i < PIXELS; i++) {
      if (!Double.isFinite(pixels[i])) {
        throw new IllegalArgumentException(
            "pixel " + i + " is " + pixels[i] + "; pixels must be finite");
      }
    }
    double[] scores = new double[CLASSES];
    for (int k = 0; k < CLASSES; k++) {
      double sum = bias[k];
      for (int i = 0; i < PIXELS; i++) {
        sum += weights[k][i] * pixels[i];
      }
      scores[k] = sum;
    }
    return scores;
  }

  /** The predicted digit for one image: the index of the highest score. */
  public int predict(double[] pixels) {
    return argmax(scores(pixels));
  }

  /**
   * Index of the largest value (the first one on ties); also used on decrypted encrypted scores.
   */
  public static int argmax(double[] scores) {
    int best = 0;
    for (int k = 1; k < scores.length; k++) {
      if (scores[k] > scores[best]) {
        best = k;
      }
    }
    return best;
  }

  /** W: 10 rows of 784 weights. */
  public double[][] weights() {
    double[][] copy = new double[CLASSES][];
    for (int k = 0; k < CLASSES; k++) {
      copy[k] = weights[k].clone();
    }
    return copy;
  }

  /** b: 10 values. */
  public double[] bias() {
    return bias.clone();
  }

  /** Test-split metrics the training run reported. */
  public Metrics reportedTest() {
    return reportedTest;
  }
}
