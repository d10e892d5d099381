package dev.veil.functions.breastcancer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.ModelResources;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The breast-cancer diagnosis MLP (30 → 16 → 2) trained by {@code
 * functions/training/breast_cancer/train.py}.
 *
 * <pre>
 *   z      = (x − mean) / std
 *   h      = act(W1·z + b1)      act(t) = 0.5 + 0.197·t − 0.004·t³ (cubic sigmoid approximation)
 *   scores = W2·h + b2           linear: the output layer has no activation
 *   probabilities = softmax(scores), label = argmax(scores)   (1 = malignant, 0 = benign)
 * </pre>
 *
 * {@link #scores} is the polynomial an encrypted evaluation must reproduce; softmax happens after
 * decryption. Instances are immutable and thread-safe; accessors return copies.
 */
public final class BreastCancerModel {

  /** Classpath location of the bundled model file. */
  public static final String RESOURCE = "/models/breast-cancer-mlp.json";

  private final List<String> featureNames;
  private final double[] mean;
  private final double[] std;
  private final double[] activation;
  private final double[][] hiddenWeights;
  private final double[] hiddenBias;
  private final double[][] outputWeights;
  private final double[] outputBias;
  private final int[] validationRows;
  private final Metrics reportedValidation;

  /** Accuracy and F1 (malignant = positive class) as the training run measured them. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Metrics(int samples, int correct, double accuracy, double f1Malignant) {}

  /**
   * Labels (0 = benign, 1 = malignant) and class probabilities [p(benign), p(malignant)] per input
   * row.
   */
  public record Prediction(int[] labels, double[][] probabilities) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record ModelFile(
      String format,
      List<String> features,
      Scaler scaler,
      Activation activation,
      List<Layer> layers,
      Split split,
      ReportedMetrics metrics) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record Scaler(double[] mean, double[] std) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record Activation(double[] polynomial, String appliedAfter) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record Layer(double[][] weights, double[] bias) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record Split(int[] validationRows) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  private record ReportedMetrics(Metrics validation) {}

  private static final class Bundled {
    static final BreastCancerModel MODEL =
        ModelResources.load(BreastCancerModel.class, RESOURCE, BreastCancerModel::read);
  }

  /** The model bundled with this jar, loaded once on first use. */
  public static BreastCancerModel bundled() {
    return Bundled.MODEL;
  }

  /**
   * Reads a model file in the {@code veil-mlp/1} format and checks that its shapes fit together.
   */
  public static BreastCancerModel read(InputStream in) throws IOException {
    ModelFile file = new ObjectMapper().readValue(in, ModelFile.class);
    if (!"veil-mlp/1".equals(file.format())) {
      throw new IOException("unsupported model format " + file.format() + "; expected veil-mlp/1");
    }
    return new BreastCancerModel(file);
  }

  private BreastCancerModel(ModelFile file) throws IOException {
    if (file.features() == null
        || file.scaler() == null
        || file.activation() == null
        || file.layers() == null
        || file.split() == null
        || file.metrics() == null) {
      throw new IOException(
          "model file lacks features, scaler, activation, layers, split or metrics");
    }
    int inputs = file.features().size();
    if (file.layers().size() != 2) {
      throw new IOException("expected 2 layers, found " + file.layers().size());
    }
    Layer hidden = file.layers().get(0);
    Layer output = file.layers().get(1);
    requireShape("scaler mean", file.scaler().mean(), inputs);
    requireShape("scaler std", file.scaler().std(), inputs);
    requireShape("hidden layer", hidden.weights(), hidden.bias(), inputs);
    requireShape("output layer", output.weights(), output.bias(), hidden.bias().length);
    if (output.bias().length != 2) {
      throw new IOException("output layer has " + output.bias().length + " classes; expected 2");
    }
    if (file.activation().polynomial() == null
        || !"hidden".equals(file.activation().appliedAfter())) {
      throw new IOException("activation must be a polynomial applied after the hidden layer");
    }
    for (double s : file.scaler().std()) {
      if (!(s > 0)) {
        throw new IOException("scaler std must be positive, found " + s);
      }
    }
    this.featureNames = List.copyOf(file.features());
    this.mean = file.scaler().mean();
    this.std = file.scaler().std();
    this.activation = file.activation().polynomial();
    this.hiddenWeights = hidden.weights();
    this.hiddenBias = hidden.bias();
    this.outputWeights = output.weights();
    this.outputBias = output.bias();
    this.validationRows = file.split().validationRows();
    this.reportedValidation = file.metrics().validation();
  }

  private static void requireShape(String what, double[] values, int length) throws IOException {
    if (values == null || values.length != length) {
      throw new IOException(what + " must have " + length + " values");
    }
  }

  private static void requireShape(String what, double[][] weights, double[] bias, int inputs)
      throws IOException {
    if (weights == null || bias == null || weights.length != bias.length) {
      throw new IOException(what + ": weights and bias must have the same number of rows");
    }
    for (double[] row : weights) {
      requireShape(what + " weight row", row, inputs);
    }
  }

  /** Number of input features (30). */
  public int featureCount() {
    return featureNames.size();
  }

  /** Feature names in input order. */
  public List<String> featureNames() {
    return featureNames;
  }

  /** The cubic activation evaluated at {@code t}. */
  public double activation(double t) {
    double result = 0;
    for (int i = activation.length - 1; i >= 0; i--) {
      result = result * t + activation[i];
    }
    return result;
  }

  /**
   * Output scores (before softmax) for each row of raw, unscaled features.
   *
   * @throws IllegalArgumentException naming the row and feature when the batch is empty, a row has
   *     the wrong length or a value is not finite
   */
  public double[][] scores(double[][] rows) {
    validate(rows);
    double[][] result = new double[rows.length][];
    double[] z = new double[featureCount()];
    double[] h = new double[hiddenBias.length];
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i < z.length; i++) {
        z[i] = (rows[r][i] - mean[i]) / std[i];
      }
      for (int j = 0; j < h.length; j++) {
        h[j] = activation(dot(hiddenWeights[j], z) + hiddenBias[j]);
      }
      result[r] = new double[outputBias.length];
      for (int k = 0; k < outputBias.length; k++) {
        result[r][k] = dot(outputWeights[k], h) + outputBias[k];
      }
    }
    return result;
  }

  /** Labels and softmax probabilities for each row; same validation as {@link #scores}. */
  public Prediction predict(double[][] rows) {
    double[][] scores = scores(rows);
    int[] labels = new int[scores.length];
    double[][] probabilities = new double[scores.length][];
    for (int r = 0; r < scores.length; r++) {
      labels[r] = scores[r][1] > scores[r][0] ? 1 : 0;
      probabilities[r] = softmax(scores[r]);
    }
    return new Prediction(labels, probabilities);
  }

  private void validate(double[][] rows) {
    if (rows == null || rows.length == 0) {
      throw new IllegalArgumentException(
          "the batch is empty; send at least one row of " + featureCount() + " features");
    }
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null || rows[r].length != featureCount()) {
        throw new IllegalArgumentException(
            "row "
                + r
                + " has "
                + (rows[r] == null ? 0 : rows[r].length)
                + " values; the model expects "
                + featureCount()
                + " features");
      }
      for (int i = 0; i < rows[r].length; i++) {
        if (!Double.isFinite(rows[r][i])) {
          throw new IllegalArgumentException(
              "row "
                  + r
                  + ", feature "
                  + i
                  + " ("
                  + featureNames.get(i)
                  + ") is "
                  + rows[r][i]
                  + "; values must be finite numbers");
        }
      }
    }
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static double[] softmax(double[] scores) {
    double max = Math.max(scores[0], scores[1]);
    double e0 = Math.exp(scores[0] - max);
    double e1 = Math.exp(scores[1] - max);
    return new double[] {e0 / (e0 + e1), e1 / (e0 + e1)};
  }

  /** Scaler means (of the training rows), one per feature. */
  public double[] scalerMean() {
    return mean.clone();
  }

  /** Scaler standard deviations, one per feature. */
  public double[] scalerStd() {
    return std.clone();
  }

  /** Coefficients of the activation polynomial, constant term first: [0.5, 0.197, 0, −0.004]. */
  public double[] activationCoefficients() {
    return activation.clone();
  }

  /** W1: 16 rows of 30 weights, applied to scaled features. */
  public double[][] hiddenWeights() {
    return deepCopy(hiddenWeights);
  }

  /** b1: 16 values. */
  public double[] hiddenBias() {
    return hiddenBias.clone();
  }

  /** W2: 2 rows of 16 weights. */
  public double[][] outputWeights() {
    return deepCopy(outputWeights);
  }

  /** b2: 2 values. */
  public double[] outputBias() {
    return outputBias.clone();
  }

  /**
   * Indices (0-based, data rows of functions/training/data/wdbc.csv) of the 114 validation samples.
   */
  public int[] validationRows() {
    return validationRows.clone();
  }

  /** Validation metrics the training run reported. */
  public Metrics reportedValidation() {
    return reportedValidation;
  }

  private static double[][] deepCopy(double[][] m) {
    double[][] copy = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      copy[i] = m[i].clone();
    }
    return copy;
  }
}
