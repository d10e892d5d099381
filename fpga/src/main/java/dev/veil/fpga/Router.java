package dev.veil.fpga;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes a model call by the model's declared class: {@code heavy-image} models go to the
 * accelerator pool (dynamic batching on workers bound to their accelerator), {@code light} models
 * run inline on the calling worker thread with a CPU session. Built from configuration:
 *
 * <pre>
 * {"models":  {"resnet50": {"class": "heavy-image", "accelerator": "fpga", "path": "...",
 *                           "maxBatchSize": 8, "maxQueueDelayMs": 2, "queueCapacity": 256, "timeoutMs": 30000},
 *              "resnet50-head": {"class": "light", "path": "..."}},
 *  "workers": [{"device": "fpga", "count": 1, "capacity": 1, "threads": 2, "fallback": "cpu"}],
 *  "remoteWorkers": true, "healthCheckMs": 1000}
 * </pre>
 *
 * Without {@code "workers"}, one worker per accelerator named by a heavy model is created, no
 * fallback.
 */
public final class Router {
  private final Vertx vertx;
  private final AcceleratorPool pool;
  private final Map<String, OnnxModel> inline;
  private final Set<String> heavy;

  private Router(
      Vertx vertx, AcceleratorPool pool, Map<String, OnnxModel> inline, Set<String> heavy) {
    this.vertx = vertx;
    this.pool = pool;
    this.inline = inline;
    this.heavy = heavy;
  }

  public static Future<Router> start(Vertx vertx, JsonObject config, MeterRegistry registry) {
    List<ModelSpec> heavyModels = new ArrayList<>();
    List<ModelSpec> lightModels = new ArrayList<>();
    List<WorkerSpec> workers = new ArrayList<>();
    try {
      JsonObject models = config.getJsonObject("models", new JsonObject());
      for (String name : models.fieldNames()) {
        ModelSpec spec = ModelSpec.fromJson(name, models.getJsonObject(name));
        (spec.heavy() ? heavyModels : lightModels).add(spec);
      }
      JsonArray configured = config.getJsonArray("workers");
      if (configured != null) {
        for (int i = 0; i < configured.size(); i++)
          workers.add(WorkerSpec.fromJson(configured.getJsonObject(i)));
      } else {
        heavyModels.stream()
            .map(ModelSpec::accelerator)
            .distinct()
            .forEach(
                kind ->
                    workers.add(
                        new WorkerSpec(kind, 1, 1, false, ExecutionBackend.Options.DEFAULT)));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalArgumentException("accelerator pool configuration: " + e.getMessage(), e));
    }
    boolean remote = config.getBoolean("remoteWorkers", false);
    for (ModelSpec m : heavyModels) {
      boolean served =
          workers.stream().anyMatch(w -> w.device() == m.accelerator() && w.count() > 0);
      if (!served && !remote) {
        return Future.failedFuture(
            new IllegalArgumentException(
                "model '"
                    + m.name()
                    + "' wants accelerator "
                    + m.accelerator().configName()
                    + " but no worker of that kind is configured"));
      }
    }
    ExecutionBackend cpu =
        ExecutionBackend.resolve(DeviceKind.CPU, false, ExecutionBackend.Options.DEFAULT);
    Future<Map<String, OnnxModel>> inlineSessions =
        vertx.executeBlocking(
            () -> {
              Map<String, OnnxModel> sessions = new LinkedHashMap<>();
              for (ModelSpec m : lightModels) sessions.put(m.name(), OnnxModel.load(m, cpu));
              return sessions;
            },
            false);
    Set<String> heavyNames = new LinkedHashSet<>();
    heavyModels.forEach(m -> heavyNames.add(m.name()));
    return inlineSessions.compose(
        sessions ->
            AcceleratorPool.start(
                    vertx,
                    heavyModels,
                    workers,
                    remote,
                    config.getLong("healthCheckMs", 1000L),
                    registry)
                .map(pool -> new Router(vertx, pool, sessions, heavyNames))
                .onFailure(e -> sessions.values().forEach(OnnxModel::close)));
  }

  /**
   * Runs one sample. Heavy models are batched on the pool; light models run right here on the
   * calling thread, or on a worker thread when called from an event loop.
   */
  public Future<float[]> infer(String model, float[] input) {
    if (heavy.contains(model)) return pool.infer(model, input);
    OnnxModel session = inline.get(model);
    if (session == null)
      return Future.failedFuture(PoolException.badInput("unknown model '" + model + "'"));
    if (Context.isOnEventLoopThread()) {
      return vertx.executeBlocking(() -> session.run(List.of(input)).get(0), false);
    }
    try {
      return Future.succeededFuture(session.run(List.of(input)).get(0));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Whether the model is served by the pool (true) or inline (false). */
  public boolean isHeavy(String model) {
    return heavy.contains(model);
  }

  public AcceleratorPool pool() {
    return pool;
  }

  public Future<Void> close() {
    return pool.close().onComplete(ar -> inline.values().forEach(OnnxModel::close));
  }
}
