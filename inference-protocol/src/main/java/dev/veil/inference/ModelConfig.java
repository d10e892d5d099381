package dev.veil.inference;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One model's configuration in a Triton-style model repository: {@code <repository>/<model>/
 * config.pbtxt} (protobuf text format) or {@code config.json} (the same fields in JSON). Of
 * Triton's fields Veil maps {@code max_batch_size}, {@code dynamic_batching {
 * max_queue_delay_microseconds }} and {@code instance_group [{ count, kind }]}; {@code name},
 * {@code platform}, {@code backend}, {@code input}, {@code output} and {@code version_policy} are
 * accepted and not used (the model's tensors are its own); any other field is an error.
 *
 * @param maxQueueDelayMicros null: no {@code dynamic_batching} (the batcher does not wait)
 * @param instanceCount null: no {@code instance_group} (the pool's workers as built in)
 * @param device {@code cpu} or {@code gpu}
 */
record ModelConfig(
    String model,
    Path file,
    int maxBatchSize,
    Long maxQueueDelayMicros,
    Integer instanceCount,
    String device) {

  private static final Set<String> IGNORED =
      Set.of("name", "platform", "backend", "input", "output", "version_policy");
  private static final int MAX_FILE_BYTES = 64 * 1024;

  /** The configs of every model directory of the repository, by model name (blocking). */
  static Map<String, ModelConfig> readRepository(Path repository) {
    if (!Files.isDirectory(repository)) {
      throw new IllegalArgumentException(
          "host.json veil.inferenceProtocol.modelRepository: "
              + repository
              + " is not a directory");
    }
    Map<String, ModelConfig> configs = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(repository)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        ModelConfig config = read(dir);
        configs.put(config.model(), config);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("model repository " + repository + ": " + e, e);
    }
    return configs;
  }

  /** The config of one model directory; errors name the file and the field. */
  static ModelConfig read(Path dir) {
    String model = dir.getFileName().toString();
    Path pbtxt = dir.resolve("config.pbtxt");
    Path json = dir.resolve("config.json");
    Path file = Files.exists(pbtxt) ? pbtxt : json;
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(
          "model repository: " + dir + " has neither config.pbtxt nor config.json");
    }
    JsonObject fields;
    try {
      if (Files.size(file) > MAX_FILE_BYTES)
        throw new IllegalArgumentException("larger than " + MAX_FILE_BYTES + " bytes");
      String text = Files.readString(file);
      fields = file == pbtxt ? new TextFormat(text).message(true) : new JsonObject(text);
      return map(model, file, fields);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static ModelConfig map(String model, Path file, JsonObject fields) {
    for (String field : fields.fieldNames()) {
      if (!IGNORED.contains(field)
          && !Set.of("max_batch_size", "dynamic_batching", "instance_group").contains(field)) {
        throw new IllegalArgumentException(
            "field '"
                + field
                + "' is not supported (Veil maps max_batch_size, dynamic_batching"
                + " { max_queue_delay_microseconds } and instance_group [{ count, kind }])");
      }
    }
    Object name = fields.getValue("name");
    if (name != null && !model.equals(name)) {
      throw new IllegalArgumentException(
          "field 'name' is '" + name + "' but the directory is '" + model + "'");
    }
    long maxBatch = number(fields, "max_batch_size", 1);
    if (maxBatch < 1 || maxBatch > 4096)
      throw new IllegalArgumentException(
          "field 'max_batch_size' must be 1 to 4096, not " + maxBatch);
    Long delay = null;
    Object batching = fields.getValue("dynamic_batching");
    if (batching != null) {
      JsonObject b = object(batching, "dynamic_batching");
      for (String field : b.fieldNames()) {
        if (!field.equals("max_queue_delay_microseconds"))
          throw new IllegalArgumentException(
              "field 'dynamic_batching." + field + "' is not supported");
      }
      delay = number(b, "max_queue_delay_microseconds", 0);
      if (delay < 0 || delay > 10_000_000) {
        throw new IllegalArgumentException(
            "field 'dynamic_batching.max_queue_delay_microseconds' must be 0 to 10000000, not "
                + delay);
      }
    }
    Integer count = null;
    String device = "cpu";
    Object groups = fields.getValue("instance_group");
    if (groups != null) {
      List<Object> list = groups instanceof JsonArray a ? a.getList() : List.of(groups);
      count = 0;
      String kind = null;
      for (Object g : list) {
        JsonObject group = object(g, "instance_group");
        for (String field : group.fieldNames()) {
          if (!field.equals("count") && !field.equals("kind") && !field.equals("name"))
            throw new IllegalArgumentException(
                "field 'instance_group." + field + "' is not supported (count, kind)");
        }
        long c = number(group, "count", 1);
        if (c < 1 || c > 64)
          throw new IllegalArgumentException("field 'instance_group.count' must be 1 to 64");
        String k = String.valueOf(group.getValue("kind", "KIND_CPU"));
        if (!k.equals("KIND_CPU") && !k.equals("KIND_GPU")) {
          throw new IllegalArgumentException(
              "field 'instance_group.kind' is " + k + "; Veil's pool takes KIND_CPU or KIND_GPU");
        }
        if (kind != null && !kind.equals(k)) {
          throw new IllegalArgumentException(
              "field 'instance_group.kind': one model runs on one kind of device, not "
                  + kind
                  + " and "
                  + k);
        }
        kind = k;
        count += (int) c;
      }
      if (kind != null && kind.equals("KIND_GPU")) device = "gpu";
    }
    return new ModelConfig(model, file, (int) maxBatch, delay, count, device);
  }

  /**
   * The part of the accelerator pool's configuration ({@code dev.veil.fpga}) this config sets for
   * the pool model {@code poolModel}: its max batch and queue delay, and the workers.
   */
  JsonObject poolSection(String poolModel) {
    JsonObject spec = new JsonObject().put("maxBatchSize", maxBatchSize);
    spec.put("maxQueueDelayMs", maxQueueDelayMicros == null ? 0.0 : maxQueueDelayMicros / 1000.0);
    if (instanceCount != null) spec.put("accelerator", device);
    JsonObject section = new JsonObject().put("models", new JsonObject().put(poolModel, spec));
    if (instanceCount != null) {
      section.put(
          "workers",
          new JsonArray()
              .add(
                  new JsonObject()
                      .put("device", device)
                      .put("count", instanceCount)
                      .put("capacity", 1)
                      .put("threads", 1)));
    }
    return section;
  }

  /** Whether the config sets anything only the accelerator pool has. */
  boolean setsPool() {
    return maxQueueDelayMicros != null || instanceCount != null;
  }

  private static long number(JsonObject o, String field, long absent) {
    Object v = o.getValue(field);
    if (v == null) return absent;
    if (v instanceof Number n && n.doubleValue() == n.longValue()) return n.longValue();
    if (v instanceof String s && s.matches("-?\\d{1,18}")) return Long.parseLong(s);
    throw new IllegalArgumentException("field '" + field + "' must be an integer, not " + v);
  }

  private static JsonObject object(Object v, String field) {
    if (v instanceof JsonObject o) return o;
    throw new IllegalArgumentException("field '" + field + "' must be a message { ... }");
  }

  /**
   * A small reader of protobuf text format: {@code field: value}, {@code field { ... }}, {@code
   * field: [a, b]}, {@code # comments}; a field given twice or as a list becomes a JSON array.
   */
  private static final class TextFormat {
    private final List<String> tokens = new ArrayList<>();
    private int at;

    TextFormat(String text) {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) i++;
        else if (c == '#') {
          while (i < text.length() && text.charAt(i) != '\n') i++;
        } else if ("{}[]:,;<>".indexOf(c) >= 0) {
          tokens.add(String.valueOf(c == '<' ? '{' : c == '>' ? '}' : c));
          i++;
        } else if (c == '"' || c == '\'') {
          int end = text.indexOf(c, i + 1);
          if (end < 0) throw new IllegalArgumentException("unterminated string");
          tokens.add("\"" + text.substring(i + 1, end));
          i = end + 1;
        } else {
          int start = i;
          while (i < text.length()
              && (Character.isLetterOrDigit(text.charAt(i)) || "_.+-".indexOf(text.charAt(i)) >= 0))
            i++;
          if (i == start) throw new IllegalArgumentException("unexpected character '" + c + "'");
          tokens.add(text.substring(start, i));
        }
      }
    }

    JsonObject message(boolean top) {
      Map<String, Object> fields = new LinkedHashMap<>();
      while (at < tokens.size() && !tokens.get(at).equals("}")) {
        String name = tokens.get(at++);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*"))
          throw new IllegalArgumentException("expected a field name, found '" + name + "'");
        if (peek(":")) at++;
        Object value;
        if (peek("[")) {
          at++;
          JsonArray list = new JsonArray();
          while (!peek("]")) {
            list.add(value(name));
            if (peek(",")) at++;
          }
          at++;
          value = list;
        } else value = value(name);
        Object before = fields.get(name);
        if (before == null) fields.put(name, value);
        else if (before instanceof JsonArray a) a.add(value);
        else fields.put(name, new JsonArray().add(before).add(value));
        if (peek(",") || peek(";")) at++;
      }
      if (top && at < tokens.size())
        throw new IllegalArgumentException("unexpected '}' at the top level");
      return new JsonObject(fields);
    }

    private Object value(String field) {
      if (at >= tokens.size())
        throw new IllegalArgumentException("field '" + field + "' has no value");
      String t = tokens.get(at++);
      if (t.equals("{")) {
        JsonObject m = message(false);
        if (!peek("}")) throw new IllegalArgumentException("field '" + field + "': missing '}'");
        at++;
        return m;
      }
      if (t.startsWith("\"")) return t.substring(1);
      if (t.matches("-?\\d{1,18}")) return Long.parseLong(t);
      if (t.matches("[A-Za-z_][A-Za-z0-9_]*")) return t;
      throw new IllegalArgumentException("field '" + field + "' has a bad value '" + t + "'");
    }

    private boolean peek(String token) {
      return at < tokens.size() && tokens.get(at).equals(token);
    }
  }
}
