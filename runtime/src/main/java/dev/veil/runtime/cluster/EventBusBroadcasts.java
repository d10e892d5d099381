package dev.veil.runtime.cluster;

import dev.veil.runtime.spi.ClusterBroadcasts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries {@link ClusterBroadcasts} over the clustered event bus: a publish reaches every node's
 * consumer.
 */
public final class EventBusBroadcasts implements ClusterBroadcasts.Transport {
  private final Vertx vertx;
  private final ClusterBroadcasts broadcasts;
  private final Map<String, MessageConsumer<String>> consumers = new ConcurrentHashMap<>();

  public EventBusBroadcasts(Vertx vertx, ClusterBroadcasts broadcasts) {
    this.vertx = vertx;
    this.broadcasts = broadcasts;
  }

  /** Connects {@code broadcasts} to the event bus until {@link #stop}. */
  public EventBusBroadcasts start() {
    broadcasts.connect(this);
    return this;
  }

  @Override
  public void publish(String address, String message) {
    vertx.eventBus().publish(address, message);
  }

  @Override
  public void subscribe(String address) {
    consumers.computeIfAbsent(
        address,
        a -> vertx.eventBus().<String>consumer(a, msg -> broadcasts.deliver(a, msg.body())));
  }

  public Future<Void> stop() {
    broadcasts.disconnect();
    List<Future<Void>> stops =
        consumers.values().stream().map(MessageConsumer::unregister).toList();
    consumers.clear();
    return Future.join(stops).mapEmpty();
  }
}
