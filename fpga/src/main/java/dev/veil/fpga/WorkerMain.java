package dev.veil.fpga;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.ClusterJoin;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-alone remote worker process: joins the Veil cluster the hosts form (same Hazelcast
 * settings and secret as a host: the configuration's {@code "cluster"} object takes the keys of
 * host.json {@code veil.cluster}; {@code VEIL_CLUSTER_SECRET} and {@code VEIL_CLUSTER_MEMBERS} come
 * from the environment), loads the heavy models of a pool configuration file on one device, and
 * serves them to every pool in the cluster that accepts remote workers. Usage: {@code WorkerMain
 * <config.json> [worker-id]}; the file's first {@code "workers"} entry says the device, capacity,
 * threads and fallback.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: WorkerMain <pool-config.json> [worker-id]");
      System.exit(2);
    }
    JsonObject config;
    WorkerSpec spec;
    List<ModelSpec> models = new ArrayList<>();
    Supplier<Future<Vertx>> cluster;
    ExecutionBackend backend;
    try {
      config = new JsonObject(Files.readString(Path.of(args[0])));
      JsonArray workers = config.getJsonArray("workers", new JsonArray());
      spec = WorkerSpec.fromJson(workers.isEmpty() ? new JsonObject() : workers.getJsonObject(0));
      JsonObject modelsJson = config.getJsonObject("models", new JsonObject());
      for (String name : modelsJson.fieldNames()) {
        ModelSpec m = ModelSpec.fromJson(name, modelsJson.getJsonObject(name));
        if (m.heavy() && m.accelerator() == spec.device()) models.add(m);
      }
      if (models.isEmpty()) {
        throw new IllegalArgumentException(
            "no heavy model asks for accelerator " + spec.device().configName());
      }
      JsonObject hostJson =
          new JsonObject()
              .put(
                  "veil",
                  new JsonObject()
                      .put("cluster", config.getJsonObject("cluster", new JsonObject())));
      // A process entry point: the worker's own environment is its app settings (cluster secret,
      // TLS).
      cluster =
          ClusterJoin.load()
              .prepare(
                  new HostConfig(hostJson),
                  new AppSettings(System.getenv()),
                  "0.0.0.0",
                  Path.of(args[0])
                      .toAbsolutePath()
                      .getParent()); // cluster.tls files are named relative to the configuration
      backend = ExecutionBackend.resolve(spec.device(), spec.fallbackToCpu(), spec.options());
    } catch (IOException | RuntimeException e) {
      System.err.println("WorkerMain " + args[0] + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    String id =
        args.length > 1
            ? args[1]
            : spec.device().configName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Vertx vertx = cluster.get().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    LocalWorker worker = LocalWorker.create(vertx, id, backend, spec.capacity(), models);
    long timeout = models.stream().mapToLong(ModelSpec::timeoutMs).max().orElse(30_000);
    WorkerHost host =
        WorkerHost.start(vertx, worker, config.getLong("heartbeatMs", 1000L), timeout)
            .toCompletionStage()
            .toCompletableFuture()
            .get(1, TimeUnit.MINUTES);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    host.stop()
                        .compose(v -> vertx.close())
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    log.warn("worker {} did not stop cleanly: {}", id, e.toString());
                  }
                }));
    log.info("remote worker {} ready: {}", id, host.advertisement().encode());
  }
}
