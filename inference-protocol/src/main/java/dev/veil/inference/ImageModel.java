package dev.veil.inference;

import dev.veil.functions.image.ImageModels;
import dev.veil.functions.image.ImagePipelines;
import dev.veil.runtime.spi.HostScope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An image model of the accelerator pool (ResNet-50, the digits CNN) on already preprocessed
 * tensors: each sample of a request goes to the pool on its own, so the pool's dynamic batcher,
 * queue limits and timeouts apply exactly as to Veil's own image routes (429, 503, 504 come back as
 * the pool gives them).
 */
final class ImageModel implements InferenceModel {
  private final String name;
  private final String functionName;
  private final Supplier<ImageModels> pipeline;
  private final Supplier<ImagePipelines> pipelines;
  private final String featurizer;
  private final String head;
  private final long[] sampleShape;
  private final int classes;
  private final int maxBatchSize;
  private Future<ImageModels> started;

  private ImageModel(
      String name,
      String functionName,
      Supplier<ImageModels> pipeline,
      Supplier<ImagePipelines> pipelines,
      String featurizer,
      String head,
      long[] sampleShape,
      int classes,
      int maxBatchSize) {
    this.name = name;
    this.functionName = functionName;
    this.pipeline = pipeline;
    this.pipelines = pipelines;
    this.featurizer = featurizer;
    this.head = head;
    this.sampleShape = sampleShape;
    this.classes = classes;
    this.maxBatchSize = maxBatchSize;
  }

  /** The digits CNN: 28x28 gray in [0,1] (white on black, as MNIST), 10 logits. */
  static ImageModel digits(HostScope scope) {
    return new ImageModel(
        ImageModels.DIGITS,
        "classify-digit",
        () -> ImagePipelines.of(scope).digits(),
        () -> ImagePipelines.of(scope),
        ImageModels.DIGITS,
        null,
        new long[] {1, 28, 28},
        10,
        64);
  }

  /**
   * ResNet-50: 3x224x224 normalized as ImageNet, 1000 logits (featurizer on the pool, then the
   * head).
   */
  static ImageModel resnet50(HostScope scope) {
    return new ImageModel(
        ImageModels.RESNET50,
        "classify-image",
        () -> ImagePipelines.of(scope).resnet50(),
        () -> ImagePipelines.of(scope),
        ImageModels.RESNET50,
        ImageModels.RESNET50_HEAD,
        new long[] {3, 224, 224},
        1000,
        16);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String platform() {
    return "onnxruntime_onnx";
  }

  @Override
  public List<TensorSpec> inputs() {
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = -1;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    return List.of(new TensorSpec("image", Datatype.FP32, shape));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(new TensorSpec("logits", Datatype.FP32, new long[] {-1, classes}));
  }

  @Override
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public String functionName() {
    return functionName;
  }

  @Override
  public synchronized boolean ready() {
    return started == null || !started.failed(); // started on first use, as Veil's own routes do
  }

  /**
   * The pipeline, started on a worker thread the first time (it loads or generates model files).
   */
  private synchronized Future<ImageModels> pipeline(Vertx vertx) {
    if (started == null || started.failed()) started = vertx.executeBlocking(pipeline::get, false);
    return started;
  }

  /**
   * Sets the model's pool from a repository config (max batch, queue delay, workers), for its next
   * start.
   */
  void configurePool(ModelConfig config) {
    pipelines.get().configure(featurizer, config.poolSection(featurizer));
  }

  /** The configuration the model's pool was started with, or null before it started. */
  io.vertx.core.json.JsonObject poolConfiguration() {
    return pipelines.get().configuration(featurizer);
  }

  @Override
  public Future<Void> load(Vertx vertx) {
    return pipeline(vertx).mapEmpty();
  }

  /**
   * Stops the pool (the host's Veil route for the same model starts it again on its next request).
   */
  @Override
  public Future<Void> unload(Vertx vertx) {
    synchronized (this) {
      started = null;
    }
    return vertx.executeBlocking(
        () -> {
          pipelines.get().release(featurizer);
          return null;
        },
        false);
  }

  @Override
  public Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch) {
    float[] all = inputs.get("image").floats();
    int size = all.length / batch;
    return pipeline(vertx)
        .compose(
            models -> {
              List<Future<float[]>> samples = new ArrayList<>(batch);
              for (int b = 0; b < batch; b++) {
                float[] sample = new float[size];
                System.arraycopy(all, b * size, sample, 0, size);
                Future<float[]> out = models.router().infer(featurizer, sample);
                samples.add(
                    head == null
                        ? out
                        : out.compose(features -> models.router().infer(head, features)));
              }
              return Future.all(samples)
                  .map(
                      done -> {
                        float[] logits = new float[batch * classes];
                        for (int b = 0; b < batch; b++) {
                          float[] one = done.<float[]>resultAt(b);
                          if (one.length != classes)
                            throw new IllegalStateException(
                                name + " gave " + one.length + " values, not " + classes);
                          System.arraycopy(one, 0, logits, b * classes, classes);
                        }
                        return List.of(
                            Tensor.ofFloats("logits", new long[] {batch, classes}, logits));
                      });
            });
  }
}
