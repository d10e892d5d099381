package dev.veil.fpga;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link LocalWorker} to pools in other processes over the clustered event bus: answers
 * batch and ping requests at its own address, and advertises its device kind, capacity and models
 * on {@link AcceleratorPool#ANNOUNCE_ADDRESS} when it starts, when a pool asks, and every
 * heartbeat.
 */
public final class WorkerHost {
  private static final Logger log = LoggerFactory.getLogger(WorkerHost.class);

  private final Vertx vertx;
  private final LocalWorker worker;
  private final String address;
  private final long batchTimeoutMs;
  private MessageConsumer<Object> requests;
  private MessageConsumer<Object> discovery;
  private long heartbeat = -1;

  private WorkerHost(Vertx vertx, LocalWorker worker, long batchTimeoutMs) {
    this.vertx = vertx;
    this.worker = worker;
    this.address = "veil.fpga.worker." + worker.id();
    this.batchTimeoutMs = batchTimeoutMs;
  }

  /** Starts serving; the returned host has already announced itself once. */
  public static Future<WorkerHost> start(
      Vertx vertx, LocalWorker worker, long heartbeatMs, long batchTimeoutMs) {
    WorkerHost host = new WorkerHost(vertx, worker, batchTimeoutMs);
    host.requests = vertx.eventBus().consumer(host.address, host::handle);
    host.discovery =
        vertx.eventBus().consumer(AcceleratorPool.DISCOVER_ADDRESS, m -> host.announce());
    return host.requests
        .completion()
        .compose(v -> host.discovery.completion())
        .map(
            v -> {
              host.announce();
              host.heartbeat = vertx.setPeriodic(heartbeatMs, t -> host.announce());
              log.info("worker host {} serving at {}", worker.id(), host.address);
              return host;
            });
  }

  public JsonObject advertisement() {
    return new JsonObject()
        .put("id", worker.id())
        .put("address", address)
        .put("serves", worker.serves().configName())
        .put("device", worker.device().configName())
        .put("capacity", worker.capacity())
        .put("batchTimeoutMs", batchTimeoutMs)
        .put("models", new JsonObject(new java.util.LinkedHashMap<>(worker.models())));
  }

  private void announce() {
    vertx.eventBus().publish(AcceleratorPool.ANNOUNCE_ADDRESS, advertisement());
  }

  private void handle(Message<Object> msg) {
    String op = msg.headers().get(RemoteWorker.OP_HEADER);
    if ("ping".equals(op)) {
      worker
          .ping()
          .onComplete(
              ar -> {
                if (ar.succeeded()) msg.reply("pong");
                else msg.fail(503, ar.cause().getMessage());
              });
      return;
    }
    if (!"run".equals(op) || !(msg.body() instanceof Buffer body)) {
      msg.fail(400, "expected a batch (op=run with a binary body) or op=ping");
      return;
    }
    List<float[]> samples;
    try {
      samples = BatchCodec.decode(body);
    } catch (RuntimeException e) {
      msg.fail(400, e.getMessage());
      return;
    }
    String model = msg.headers().get(RemoteWorker.MODEL_HEADER);
    log.debug("worker {}: running a batch of {} for {}", worker.id(), samples.size(), model);
    worker
        .run(model, samples)
        .onComplete(
            ar -> {
              if (ar.succeeded()) msg.reply(BatchCodec.encode(ar.result()));
              else if (ar.cause() instanceof WorkerFailedException)
                msg.fail(503, ar.cause().getMessage());
              else if (ar.cause() instanceof PoolException pe)
                msg.fail(pe.httpStatus(), pe.getMessage());
              else msg.fail(500, String.valueOf(ar.cause().getMessage()));
            });
  }

  /** Stops serving and stops the worker. */
  public Future<Void> stop() {
    vertx.cancelTimer(heartbeat);
    worker.stop();
    return requests.unregister().compose(v -> discovery.unregister());
  }
}
