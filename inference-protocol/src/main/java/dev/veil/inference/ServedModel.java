package dev.veil.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * A model as the repository serves it: its repository config's max batch size (if any) in place of
 * the built-in one, and whether it is loaded. An unloaded model stays listed in the index as
 * UNAVAILABLE and refuses inference with 400, as Triton answers for a model that is not ready.
 */
final class ServedModel implements InferenceModel {
  private final InferenceModel model;
  private final ModelConfig config;
  private volatile String unavailable; // why not loaded; null: loaded

  ServedModel(InferenceModel model, ModelConfig config) {
    this.model = model;
    this.config = config;
  }

  /** Why the model does not take requests, or null when it does. */
  String unavailableReason() {
    if (unavailable != null) return unavailable;
    return model.ready() ? null : "the model failed to start; the next request tries again";
  }

  /**
   * The model's configuration in Triton's JSON form (the model configuration extension): what the
   * repository config set, and for a pool model the pool's settings once it has started.
   */
  JsonObject configuration() {
    JsonObject out =
        new JsonObject()
            .put("name", name())
            .put("platform", platform())
            .put("max_batch_size", maxBatchSize());
    if (config != null) {
      out.put("config_file", config.file().toString());
      if (config.maxQueueDelayMicros() != null)
        out.put(
            "dynamic_batching",
            new JsonObject().put("max_queue_delay_microseconds", config.maxQueueDelayMicros()));
      if (config.instanceCount() != null)
        out.put(
            "instance_group",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("count", config.instanceCount())
                        .put("kind", config.device().equals("gpu") ? "KIND_GPU" : "KIND_CPU")));
    }
    if (model instanceof ImageModel image) {
      JsonObject pool = image.poolConfiguration();
      if (pool != null) out.put("veil_accelerator_pool", pool);
    }
    return out;
  }

  @Override
  public Future<Void> load(Vertx vertx) {
    return model
        .load(vertx)
        .onSuccess(v -> unavailable = null)
        .onFailure(e -> unavailable = "loading failed: " + InferenceError.from(e).getMessage());
  }

  @Override
  public Future<Void> unload(Vertx vertx) {
    unavailable =
        "unloaded through the repository API (POST /v2/repository/models/"
            + name()
            + "/load serves it again)";
    return model.unload(vertx);
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public String version() {
    return model.version();
  }

  @Override
  public String platform() {
    return model.platform();
  }

  @Override
  public List<TensorSpec> inputs() {
    return model.inputs();
  }

  @Override
  public List<TensorSpec> outputs() {
    return model.outputs();
  }

  @Override
  public int maxBatchSize() {
    return config != null ? config.maxBatchSize() : model.maxBatchSize();
  }

  @Override
  public String functionName() {
    return model.functionName();
  }

  @Override
  public boolean ready() {
    return unavailable == null && model.ready();
  }

  @Override
  public Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch) {
    String why = unavailable;
    if (why != null)
      return Future.failedFuture(
          InferenceError.badRequest("model '" + name() + "' is not ready: " + why));
    return model.infer(vertx, inputs, batch);
  }
}
