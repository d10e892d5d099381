package dev.veil.functions.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.functions.http.FunctionFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A batch run as a client asks for it ({@code POST /api/batch/runs}):
 *
 * <pre>{@code
 * {"input": {"container": "batch-input", "prefix": "week-12/"}   // or "files": ["a.csv", ...]
 *  "model": "auto", "mini_batch_size": 100, "error_threshold": 10,
 *  "output": {"container": "batch-output", "prefix": "week-12/"}}
 * }</pre>
 *
 * Every problem is a bad-input failure naming the field.
 */
record BatchRunRequest(
    String inputContainer,
    String inputPrefix,
    List<String> files,
    String model,
    int miniBatchSize,
    int errorThreshold,
    String outputContainer,
    String outputPrefix) {
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final int MAX_FILES = 1000;
  static final int MAX_MINI_BATCH = 100_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CONTAINER =
      Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
  private static final Set<String> FIELDS =
      Set.of("input", "model", "mini_batch_size", "error_threshold", "output");

  static BatchRunRequest parse(String body) {
    if (body == null || body.isBlank()) {
      throw FunctionFailure.badInput("body: a JSON object describing the run is required");
    }
    if (body.length() > MAX_BODY_BYTES) {
      throw FunctionFailure.badInput("body: larger than " + MAX_BODY_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw FunctionFailure.badInput("body: not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw FunctionFailure.badInput("body: must be a JSON object");
    }
    return of(root);
  }

  /** From the stored form ({@link #toJson}) or a client's body. */
  static BatchRunRequest of(JsonNode root) {
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw FunctionFailure.badInput(name + ": unknown field; expected one of " + FIELDS);
      }
    }
    JsonNode input = object(root, "input");
    JsonNode output = object(root, "output");
    String inContainer = container(input, "input.container");
    String prefix = text(input, "input.prefix", "prefix", "");
    List<String> files = null;
    if (input.has("files")) {
      if (input.has("prefix")) {
        throw FunctionFailure.badInput("input: give either prefix or files, not both");
      }
      JsonNode list = input.get("files");
      if (!list.isArray() || list.isEmpty() || list.size() > MAX_FILES) {
        throw FunctionFailure.badInput(
            "input.files: must be an array of 1 to " + MAX_FILES + " blob names");
      }
      files = new ArrayList<>();
      for (JsonNode f : list) {
        if (!f.isTextual() || f.asText().isBlank() || f.asText().length() > 1024) {
          throw FunctionFailure.badInput("input.files: each entry must be a blob name");
        }
        try {
          BatchScorer.format(checked(f.asText(), "input.files"));
        } catch (IllegalArgumentException e) {
          throw FunctionFailure.badInput("input.files: " + e.getMessage());
        }
        files.add(f.asText());
      }
    }
    String model = text(root, "model", "model", "auto");
    try {
      RowScorer.model(model);
    } catch (IllegalArgumentException e) {
      throw FunctionFailure.badInput("model: " + e.getMessage());
    }
    int miniBatch = integer(root, "mini_batch_size", 100, 1, MAX_MINI_BATCH);
    int threshold = integer(root, "error_threshold", 10, -1, Integer.MAX_VALUE);
    return new BatchRunRequest(
        inContainer,
        prefix,
        files,
        model,
        miniBatch,
        threshold,
        container(output, "output.container"),
        text(output, "output.prefix", "prefix", ""));
  }

  ObjectNode toJson() {
    ObjectNode r = JSON.createObjectNode();
    ObjectNode in = r.putObject("input").put("container", inputContainer);
    if (files != null) {
      files.forEach(in.putArray("files")::add);
    } else {
      in.put("prefix", inputPrefix);
    }
    r.put("model", model).put("mini_batch_size", miniBatchSize);
    r.put("error_threshold", errorThreshold);
    r.putObject("output").put("container", outputContainer).put("prefix", outputPrefix);
    return r;
  }

  private static JsonNode object(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || !node.isObject()) {
      throw FunctionFailure.badInput(field + ": required, an object with container and prefix");
    }
    return node;
  }

  private static String container(JsonNode node, String field) {
    String name = text(node, field, "container", null);
    if (name == null || !CONTAINER.matcher(name).matches()) {
      throw FunctionFailure.badInput(
          field + ": required, 3-63 lowercase letters, digits and single hyphens");
    }
    return name;
  }

  private static String text(JsonNode node, String field, String key, String fallback) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual() || v.asText().length() > 1024) {
      throw FunctionFailure.badInput(field + ": must be a string of at most 1024 characters");
    }
    return checked(v.asText(), field);
  }

  private static String checked(String name, String field) {
    if (name.chars().anyMatch(c -> c < 0x20)) {
      throw FunctionFailure.badInput(field + ": control characters are not allowed");
    }
    return name;
  }

  private static int integer(JsonNode root, String field, int fallback, int min, int max) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
      throw FunctionFailure.badInput(
          field + ": must be an integer from " + min + " to " + max + ", got " + v);
    }
    return v.asInt();
  }
}
