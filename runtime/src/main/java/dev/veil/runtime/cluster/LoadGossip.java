package dev.veil.runtime.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The cluster-wide load view: every node publishes its in-flight invocation count on {@value
 * #ADDRESS} each period, and keeps the latest count every other node published. A forwarder alone
 * only knows what it sent itself; with this view the bounded-load rule also sees work a node got
 * from other nodes, its own HTTP clients and its Kafka/blob triggers.
 */
final class LoadGossip {
  static final String ADDRESS = "veil.cluster.load";

  /** A report older than this many periods is ignored: the node left or cannot publish. */
  private static final int STALE_PERIODS = 8;

  private final Vertx vertx;
  private final String nodeId;
  private final IntSupplier localInFlight;
  private final Duration period;
  private final Map<String, Report> latest = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  private record Report(int inFlight, long receivedNanos) {}

  LoadGossip(Vertx vertx, String nodeId, IntSupplier localInFlight, Duration period) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.localInFlight = localInFlight;
    this.period = period;
  }

  Future<Void> start() {
    consumer =
        vertx
            .eventBus()
            .consumer(
                ADDRESS,
                msg -> {
                  String node = msg.body().getString("node");
                  Integer inFlight = msg.body().getInteger("inFlight");
                  if (node != null && inFlight != null && !node.equals(nodeId))
                    latest.put(node, new Report(inFlight, System.nanoTime()));
                });
    timer =
        vertx.setPeriodic(
            period.toMillis(),
            id ->
                vertx
                    .eventBus()
                    .publish(
                        ADDRESS,
                        new JsonObject()
                            .put("node", nodeId)
                            .put("inFlight", localInFlight.getAsInt())));
    return consumer.completion();
  }

  /** The other nodes' last fresh reports: node id → invocations in flight there. */
  Map<String, Integer> reported() {
    long oldest = System.nanoTime() - period.toNanos() * STALE_PERIODS;
    Map<String, Integer> out = new HashMap<>();
    latest.forEach(
        (node, r) -> {
          if (r.receivedNanos() - oldest > 0) out.put(node, r.inFlight());
        });
    return out;
  }

  /** Drops a node that left, so a node that comes back with the same id starts from nothing. */
  void forget(String node) {
    latest.remove(node);
  }

  Future<Void> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    return consumer != null ? consumer.unregister() : Future.succeededFuture();
  }
}
