package dev.veil.fpga;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One entry of the {@code "models"} configuration: where the ONNX file is, whether the model is
 * heavy (served by the pool through a dynamic batcher) or light (run inline by the caller), which
 * accelerator it wants, and the batcher's settings (named as in Triton's dynamic batcher).
 */
public record ModelSpec(
    String name,
    String path,
    boolean heavy,
    DeviceKind accelerator,
    int maxBatchSize,
    long maxQueueDelayMicros,
    int queueCapacity,
    long timeoutMs) {

  public ModelSpec {
    if (maxBatchSize < 1)
      throw new IllegalArgumentException("model '" + name + "': maxBatchSize must be >= 1");
    if (queueCapacity < 1)
      throw new IllegalArgumentException("model '" + name + "': queueCapacity must be >= 1");
    if (maxQueueDelayMicros < 0)
      throw new IllegalArgumentException("model '" + name + "': maxQueueDelay must be >= 0");
    if (timeoutMs < 1)
      throw new IllegalArgumentException("model '" + name + "': timeoutMs must be >= 1");
  }

  /**
   * Reads {@code {"class": "heavy-image"|"light", "accelerator": "fpga|gpu|cpu", "path": ...,
   * ...}}.
   */
  public static ModelSpec fromJson(String name, JsonObject json) {
    String path = json.getString("path");
    if (path == null || path.isBlank())
      throw new IllegalArgumentException("model '" + name + "' has no \"path\"");
    String cls = json.getString("class", "heavy-image");
    boolean heavy =
        switch (cls) {
          case "heavy-image" -> true;
          case "light" -> false;
          default ->
              throw new IllegalArgumentException(
                  "model '"
                      + name
                      + "': unknown class '"
                      + cls
                      + "' (expected heavy-image or light)");
        };
    return new ModelSpec(
        name,
        path,
        heavy,
        DeviceKind.parse(json.getString("accelerator", "cpu")),
        json.getInteger("maxBatchSize", 8),
        Math.round(json.getDouble("maxQueueDelayMs", 2.0) * 1000),
        json.getInteger("queueCapacity", 256),
        json.getLong("timeoutMs", 30_000L));
  }

  /** The model file's bytes; {@code classpath:} paths are read from the class path. */
  public byte[] readModel() {
    try {
      if (path.startsWith("classpath:")) {
        String resource = path.substring("classpath:".length());
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        try (InputStream in =
            (cl != null ? cl : ModelSpec.class.getClassLoader()).getResourceAsStream(resource)) {
          if (in == null)
            throw new IllegalArgumentException(
                "model '" + name + "': no class-path resource " + resource);
          return in.readAllBytes();
        }
      }
      return Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "model '" + name + "': cannot read " + path + ": " + e.getMessage(), e);
    }
  }
}
