package dev.veil.runtime.spi;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Short text messages to every node of the function app (e.g. "this key bundle changed: drop it"),
 * for extensions that must not depend on the cluster. Stand-alone, a message reaches this process's
 * listeners; in cluster mode the runtime connects a {@link Transport} (the clustered event bus) and
 * every node, this one included, delivers it. Best effort: use it only to drop state that can be
 * rebuilt.
 */
public final class ClusterBroadcasts {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBroadcasts.class);

  /** Carries messages between nodes; each receiving node hands them to its own {@link #deliver}. */
  public interface Transport {
    void publish(String address, String message);

    /** Starts receiving {@code address} (may be called again for the same address). */
    void subscribe(String address);
  }

  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private volatile Transport transport;

  /** One set of listeners; each host has its own (see {@link HostScope#broadcasts()}). */
  public ClusterBroadcasts() {}

  public void listen(String address, Consumer<String> listener) {
    listeners.computeIfAbsent(address, a -> new CopyOnWriteArrayList<>()).add(listener);
    Transport t = transport;
    if (t != null) t.subscribe(address);
  }

  public void publish(String address, String message) {
    Transport t = transport;
    if (t != null) t.publish(address, message);
    else deliver(address, message);
  }

  public void connect(Transport t) {
    transport = t;
    listeners.keySet().forEach(t::subscribe);
  }

  public void disconnect() {
    transport = null;
  }

  /**
   * Hands a received message to this node's listeners; a failing listener does not stop the others.
   */
  public void deliver(String address, String message) {
    for (Consumer<String> listener : listeners.getOrDefault(address, List.of())) {
      try {
        listener.accept(message);
      } catch (RuntimeException e) {
        LOG.warn("broadcast on {} could not be handled: {}", address, e.toString());
      }
    }
  }
}
