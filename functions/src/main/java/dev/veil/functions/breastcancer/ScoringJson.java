package dev.veil.functions.breastcancer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.functions.http.FunctionFailure;

/**
 * The JSON shapes of the plaintext scoring service: request {@code {"data": [[f0, f1, ...], ...]}},
 * response {@code {"predictions": [0|1, ...], "probabilities": [[p0, p1], ...]}}, error {@code
 * {"error": "..."}}.
 */
public final class ScoringJson {

  /** Largest batch one request may score; bounds the work of a single invocation. */
  public static final int MAX_ROWS = 10_000;

  // trailing garbage after the object is an error, not silently ignored
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private ScoringJson() {}

  /**
   * Parses the request body into rows of {@code featureCount} finite numbers.
   *
   * @throws FunctionFailure (bad input) with a message naming the problem (and the row/column where
   *     it is)
   */
  public static double[][] parseRows(String body, int featureCount) {
    if (body == null || body.isBlank()) {
      throw FunctionFailure.badInput(
          "request body is empty; expected JSON {\"data\": [[...], ...]}");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw FunctionFailure.badInput(
          "request body is not valid JSON: "
              + e.getOriginalMessage()
              + " (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (root == null || !root.isObject()) {
      throw FunctionFailure.badInput("request body must be a JSON object {\"data\": [[...], ...]}");
    }
    JsonNode data = root.get("data");
    if (data == null || !data.isArray()) {
      throw FunctionFailure.badInput(
          "\"data\" must be an array of rows, each an array of " + featureCount + " numbers");
    }
    if (data.isEmpty()) {
      throw FunctionFailure.badInput(
          "\"data\" is empty; send at least one row of " + featureCount + " numbers");
    }
    if (data.size() > MAX_ROWS) {
      throw FunctionFailure.badInput(
          "\"data\" has "
              + data.size()
              + " rows; at most "
              + MAX_ROWS
              + " are accepted per request");
    }
    double[][] rows = new double[data.size()][];
    for (int r = 0; r < rows.length; r++) {
      JsonNode row = data.get(r);
      if (!row.isArray()) {
        throw FunctionFailure.badInput(
            "data["
                + r
                + "] must be an array of "
                + featureCount
                + " numbers, found "
                + row.getNodeType().name().toLowerCase());
      }
      if (row.size() != featureCount) {
        throw FunctionFailure.badInput(
            "data["
                + r
                + "] has "
                + row.size()
                + " values; the model expects "
                + featureCount
                + " features");
      }
      rows[r] = new double[featureCount];
      for (int i = 0; i < featureCount; i++) {
        JsonNode value = row.get(i);
        if (!value.isNumber()) {
          throw FunctionFailure.badInput("data[" + r + "][" + i + "] is not a number: " + value);
        }
        double v = value.doubleValue();
        if (!Double.isFinite(v)) {
          throw FunctionFailure.badInput("data[" + r + "][" + i + "] is out of range for a double");
        }
        rows[r][i] = v;
      }
    }
    return rows;
  }

  /** The response body for a prediction. */
  public static String predictions(BreastCancerModel.Prediction prediction) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode labels = root.putArray("predictions");
    for (int label : prediction.labels()) {
      labels.add(label);
    }
    ArrayNode probabilities = root.putArray("probabilities");
    for (double[] p : prediction.probabilities()) {
      ArrayNode row = probabilities.addArray();
      for (double v : p) {
        row.add(v);
      }
    }
    return root.toString();
  }
}
