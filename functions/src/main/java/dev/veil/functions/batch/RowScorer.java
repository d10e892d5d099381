package dev.veil.functions.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.mnist.MnistLinearModel;
import java.io.IOException;

/**
 * Scores one row of features with the model its width names: 30 raw features → the breast-cancer
 * model (label 0 benign / 1 malignant), 784 pixels scaled to 0..1 → the MNIST model (digit 0..9).
 * Rows come as CSV text or as JSON (an array of numbers, or an object with a {@code features}
 * array). Every problem is an {@link IllegalArgumentException} whose message names it.
 */
public final class RowScorer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which model a caller asks for; AUTO picks by row width. */
  public enum Model {
    AUTO,
    BREAST_CANCER,
    MNIST
  }

  private final Model model;

  public RowScorer(Model model) {
    this.model = model;
  }

  /** Parses a model name as the CLI and settings spell it: auto, breast-cancer, mnist. */
  public static Model model(String name) {
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "auto" -> Model.AUTO;
      case "breast-cancer", "breastcancer" -> Model.BREAST_CANCER;
      case "mnist" -> Model.MNIST;
      default ->
          throw new IllegalArgumentException(
              "unknown model '" + name + "'; use auto, breast-cancer or mnist");
    };
  }

  /** The prediction for one row: the breast-cancer label or the MNIST digit. */
  public int predict(double[] row) {
    int bc = BreastCancerModel.bundled().featureCount();
    boolean breastCancer =
        model == Model.BREAST_CANCER || (model == Model.AUTO && row.length == bc);
    boolean mnist =
        model == Model.MNIST || (model == Model.AUTO && row.length == MnistLinearModel.PIXELS);
    if (breastCancer) {
      if (row.length != bc) {
        throw new IllegalArgumentException(
            "row has " + row.length + " values; the breast-cancer model expects " + bc);
      }
      return BreastCancerModel.bundled().predict(new double[][] {row}).labels()[0];
    }
    if (mnist) {
      return MnistLinearModel.bundled().predict(row);
    }
    throw new IllegalArgumentException(
        "row has "
            + row.length
            + " values; expected "
            + bc
            + " (breast cancer) or "
            + MnistLinearModel.PIXELS
            + " (MNIST)");
  }

  /** A CSV line of numbers. */
  public static double[] parseCsv(String line) {
    String[] cells = line.split(",", -1);
    double[] row = new double[cells.length];
    for (int i = 0; i < cells.length; i++) {
      row[i] = number(cells[i].trim(), i);
    }
    return row;
  }

  /** A JSON array of numbers, or an object with a {@code features} array. */
  public static double[] parseJson(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid JSON: " + firstLine(e.getMessage()));
    }
    if (node != null && node.isObject()) {
      node = node.get("features");
    }
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException(
          "expected a JSON array of numbers or {\"features\": [...]}");
    }
    double[] row = new double[node.size()];
    for (int i = 0; i < row.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
        throw new IllegalArgumentException("value " + i + " is not a finite number: " + v);
      }
      row[i] = v.doubleValue();
    }
    return row;
  }

  private static double number(String cell, int column) {
    try {
      double v = Double.parseDouble(cell);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "column " + column + " is not a finite number: '" + cell + "'");
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
