package dev.veil.functions.image;

import dev.veil.fpga.Router;
import dev.veil.fpga.SeededResNet50;
import dev.veil.functions.http.FunctionFailure;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One image pipeline behind its own accelerator-pool router:
 *
 * <ul>
 *   <li>ResNet-50: Java preprocessing, featurizer ({@code resnet50}, heavy: batched on the pool),
 *       classifier head ({@code resnet50-head}, light: inline), top-5 ImageNet labels. Seeded
 *       weights.
 *   <li>Digits: the small CNN trained on MNIST digits ({@code digits}, heavy), top-5 of 0..9.
 * </ul>
 *
 * A host's functions share one of each through {@link ImagePipelines}. The built-in configuration
 * runs on CPU workers; a JSON file named by the app setting {@value #POOL_CONFIG} is merged over
 * it, e.g. {@code {"resnet50": {"models": {"resnet50": {"accelerator": "fpga"}}, "workers":
 * [{"device": "fpga", "fallback": "cpu"}]}}}, or {@code {"resnet50": {"workers": [],
 * "remoteWorkers": true}}} for a host whose images go to {@code WorkerMain} processes of its
 * cluster.
 */
public final class ImageModels implements AutoCloseable {
  public static final String RESNET50 = "resnet50";
  public static final String RESNET50_HEAD = "resnet50-head";
  public static final String DIGITS = "digits";
  public static final String POOL_CONFIG = "VEIL_IMAGE_POOL_CONFIG";
  private static final long CALL_TIMEOUT_MS = 120_000;

  private final Router router;
  private final List<String> labels;
  private final String heavyModel;
  private final String headModel;

  private ImageModels(Router router, List<String> labels, String heavyModel, String headModel) {
    this.router = router;
    this.labels = labels;
    this.heavyModel = heavyModel;
    this.headModel = headModel;
  }

  /** The built-in configuration of the ResNet-50 pipeline. */
  static JsonObject resnet50Defaults(SeededResNet50.ModelFiles files) {
    return new JsonObject()
        .put(
            "models",
            new JsonObject()
                .put(
                    RESNET50,
                    new JsonObject()
                        .put("class", "heavy-image")
                        .put("accelerator", "cpu")
                        .put("path", files.featurizer().toString())
                        .put("maxBatchSize", 8)
                        .put("maxQueueDelayMs", 5))
                .put(
                    RESNET50_HEAD,
                    new JsonObject()
                        .put("class", "light")
                        .put("path", files.classifier().toString())))
        .put("workers", oneBatchPerCore());
  }

  /** The built-in configuration of the digits pipeline. */
  static JsonObject digitsDefaults() {
    return new JsonObject()
        .put(
            "models",
            new JsonObject()
                .put(
                    DIGITS,
                    new JsonObject()
                        .put("class", "heavy-image")
                        .put("accelerator", "cpu")
                        .put("path", "classpath:models/image/digits-cnn.onnx")
                        .put("maxBatchSize", 32)
                        .put("maxQueueDelayMs", 2)))
        .put("workers", oneBatchPerCore());
  }

  /**
   * One CPU worker running as many batches at once as there are cores, one intra-op thread each: on
   * the 2-core machine of BENCHMARKS.md ("Accelerator pool") this served more images per second
   * than one batch at a time on all cores, batched or not (intra-op threads scale poorly at these
   * sizes).
   */
  private static JsonArray oneBatchPerCore() {
    return new JsonArray()
        .add(
            new JsonObject()
                .put("device", "cpu")
                .put("count", 1)
                .put("capacity", Runtime.getRuntime().availableProcessors())
                .put("threads", 1));
  }

  /** Starts a pipeline with an explicit router configuration (benchmarks, tests). */
  public static ImageModels start(
      Vertx vertx, JsonObject config, String family, MeterRegistry registry) {
    boolean resnet = family.equals(RESNET50);
    Router router = await(Router.start(vertx, config, registry));
    return new ImageModels(
        router,
        resnet ? readLabels() : List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
        resnet ? RESNET50 : DIGITS,
        resnet ? RESNET50_HEAD : null);
  }

  /**
   * {@code defaults} with the family's section of the {@value #POOL_CONFIG} file (null: none)
   * merged over it.
   */
  static JsonObject override(JsonObject defaults, String family, String file) {
    if (file == null || file.isBlank()) return defaults;
    try {
      JsonObject all = new JsonObject(Files.readString(Path.of(file)));
      JsonObject mine = all.getJsonObject(family);
      return mine == null ? defaults : defaults.mergeIn(mine, true);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(POOL_CONFIG + " " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<String> readLabels() {
    try (InputStream in =
        ImageModels.class.getResourceAsStream("/models/image/imagenet-classes.txt")) {
      return List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the ImageNet labels", e);
    }
  }

  /** Decodes and preprocesses the image, runs the pipeline; blocks the calling (worker) thread. */
  public List<Prediction> classify(byte[] image) {
    float[] tensor =
        ImageDecoder.decode(
            image,
            ImageDecoder.DEFAULT_MAX_PIXELS,
            pixels -> headModel != null ? ImageTensors.resnet(pixels) : ImageTensors.digit(pixels));
    return classifyTensor(tensor);
  }

  /** The pipeline from an already preprocessed tensor on. */
  public List<Prediction> classifyTensor(float[] tensor) {
    float[] out = await(router.infer(heavyModel, tensor));
    if (headModel != null) out = await(router.infer(headModel, out));
    return Prediction.topK(out, labels, 5);
  }

  public Router router() {
    return router;
  }

  /** Stops the pool's workers; blocks until they are stopped. */
  @Override
  public void close() {
    await(router.close());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw FunctionFailure.unavailable(
          "no answer from the accelerator pool within " + CALL_TIMEOUT_MS + " ms", 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
