package dev.veil.fpga;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-alone remote worker process: joins the Vert.x cluster (Hazelcast; its usual configuration
 * applies, e.g. {@code -Dvertx.hazelcast.config=cluster.xml}), loads the heavy models of a pool
 * configuration file on one device, and serves them to every pool in the cluster that accepts remote
 * workers. Usage: {@code WorkerMain <config.json> [worker-id]}; the file's first {@code "workers"} entry
 * says the device, capacity, threads and fallback.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: WorkerMain <pool-config.json> [worker-id]");
      System.exit(2);
    }
    JsonObject config = new JsonObject(Files.readString(Path.of(args[0])));
    WorkerSpec spec = config.getJsonArray("workers", new io.vertx.core.json.JsonArray()).isEmpty()
        ? WorkerSpec.fromJson(new JsonObject())
        : WorkerSpec.fromJson(config.getJsonArray("workers").getJsonObject(0));
    List<ModelSpec> models = new ArrayList<>();
    JsonObject modelsJson = config.getJsonObject("models", new JsonObject());
    for (String name : modelsJson.fieldNames()) {
      ModelSpec m = ModelSpec.fromJson(name, modelsJson.getJsonObject(name));
      if (m.heavy() && m.accelerator() == spec.device()) models.add(m);
    }
    if (models.isEmpty()) {
      System.err.println("no heavy model in " + args[0] + " asks for accelerator " + spec.device().configName());
      System.exit(2);
    }
    String id = args.length > 1 ? args[1] : spec.device().configName() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    ExecutionBackend backend = ExecutionBackend.resolve(spec.device(), spec.fallbackToCpu(), spec.options());
    Vertx vertx = Vertx.builder().withClusterManager(new HazelcastClusterManager()).buildClustered()
        .toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    LocalWorker worker = LocalWorker.create(vertx, id, backend, spec.capacity(), models);
    long timeout = models.stream().mapToLong(ModelSpec::timeoutMs).max().orElse(30_000);
    WorkerHost host = WorkerHost.start(vertx, worker, config.getLong("heartbeatMs", 1000L), timeout)
        .toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        host.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("worker {} did not stop cleanly: {}", id, e.toString());
      }
    }));
    log.info("remote worker {} ready: {}", id, host.advertisement().encode());
  }
}
