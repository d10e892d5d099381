package dev.veil.fpga;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker in another process, reached over the (clustered) event bus at the address it advertised.
 * An unreachable or silent worker counts as a failed worker, so its batch is retried elsewhere;
 * once the pool drains it (a failed health check, e.g. after its process died), its batches in
 * flight fail at once instead of waiting for their reply timeout.
 */
final class RemoteWorker implements Worker {
  static final String OP_HEADER = "op";
  static final String MODEL_HEADER = "model";

  private final Vertx vertx;
  private final String id;
  private final String address;
  private final DeviceKind serves;
  private final DeviceKind device;
  private final int capacity;
  private final Map<String, Integer> models;
  private final long batchTimeoutMs;
  private final Set<Promise<List<float[]>>> inFlight = ConcurrentHashMap.newKeySet();

  private RemoteWorker(
      Vertx vertx,
      String id,
      String address,
      DeviceKind serves,
      DeviceKind device,
      int capacity,
      Map<String, Integer> models,
      long batchTimeoutMs) {
    this.vertx = vertx;
    this.id = id;
    this.address = address;
    this.serves = serves;
    this.device = device;
    this.capacity = capacity;
    this.models = models;
    this.batchTimeoutMs = batchTimeoutMs;
  }

  static RemoteWorker fromAdvertisement(Vertx vertx, JsonObject ad) {
    Map<String, Integer> models = new LinkedHashMap<>();
    ad.getJsonObject("models")
        .forEach(e -> models.put(e.getKey(), ((Number) e.getValue()).intValue()));
    int capacity = ad.getInteger("capacity");
    if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1");
    return new RemoteWorker(
        vertx,
        ad.getString("id"),
        ad.getString("address"),
        DeviceKind.parse(ad.getString("serves")),
        DeviceKind.parse(ad.getString("device")),
        capacity,
        models,
        ad.getLong("batchTimeoutMs", 30_000L));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public DeviceKind serves() {
    return serves;
  }

  @Override
  public DeviceKind device() {
    return device;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public Map<String, Integer> models() {
    return models;
  }

  @Override
  public Future<List<float[]>> run(String model, List<float[]> samples) {
    DeliveryOptions options =
        new DeliveryOptions()
            .addHeader(OP_HEADER, "run")
            .addHeader(MODEL_HEADER, model)
            .setSendTimeout(batchTimeoutMs);
    Promise<List<float[]>> result = Promise.promise();
    inFlight.add(result);
    vertx
        .eventBus()
        .<Buffer>request(address, BatchCodec.encode(samples), options)
        .recover(this::classify)
        .map(reply -> BatchCodec.decode(reply.body()))
        .onComplete(
            ar -> {
              inFlight.remove(result);
              if (ar.succeeded()) result.tryComplete(ar.result());
              else result.tryFail(ar.cause());
            });
    return result.future();
  }

  @Override
  public void drained(Throwable cause) {
    for (Promise<List<float[]>> p : inFlight) {
      p.tryFail(
          new WorkerFailedException(
              "remote worker " + id + " was drained: " + cause.getMessage(), cause));
    }
    inFlight.clear();
  }

  @Override
  public Future<Void> ping() {
    return vertx
        .eventBus()
        .request(
            address, "", new DeliveryOptions().addHeader(OP_HEADER, "ping").setSendTimeout(5_000))
        .recover(this::classify)
        .mapEmpty();
  }

  /**
   * No handler, no answer, or a worker that reports itself stopped: the worker failed, not the
   * request.
   */
  private <T> Future<T> classify(Throwable t) {
    if (t instanceof ReplyException re
        && (re.failureType() != ReplyFailure.RECIPIENT_FAILURE || re.failureCode() == 503)) {
      return Future.failedFuture(
          new WorkerFailedException("remote worker " + id + ": " + re.getMessage(), re));
    }
    if (t instanceof ReplyException re && re.failureCode() == 400) {
      return Future.failedFuture(PoolException.badInput(re.getMessage()));
    }
    return Future.failedFuture(t);
  }
}
