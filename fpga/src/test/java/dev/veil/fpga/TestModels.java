package dev.veil.fpga;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Models and helpers shared by the pool tests. */
final class TestModels {
  /** The digits CNN the functions module serves (small: milliseconds per batch). */
  static final Path DIGITS =
      Path.of("..", "functions", "src", "main", "resources", "models", "image", "digits-cnn.onnx");

  static final int DIGIT_SIZE = 28 * 28;

  private TestModels() {}

  static JsonObject digits(String accelerator) {
    if (!Files.exists(DIGITS))
      throw new IllegalStateException("missing " + DIGITS.toAbsolutePath());
    return new JsonObject()
        .put("class", "heavy-image")
        .put("accelerator", accelerator)
        .put("path", DIGITS.toString());
  }

  static float[] randomSample(Random random, int size) {
    float[] s = new float[size];
    for (int i = 0; i < s.length; i++) s[i] = random.nextFloat();
    return s;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** Failure of a future that must fail. */
  static Throwable failure(Future<?> future) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the call to fail, but it succeeded");
  }
}
