package dev.veil.runtime.host.auth;

import dev.veil.runtime.spi.ClusterBroadcasts;
import io.vertx.core.json.JsonObject;

/**
 * Key changes reach every member of a cluster: a change made through one member's API is broadcast
 * (over the cluster's event bus, which carries it inside TLS when veil.cluster.tls is set) and each
 * member applies it to its own keys file. A member that is down at the time keeps its old keys
 * until changed again.
 */
public final class KeyBroadcasts {
  static final String ADDRESS = "veil.access-keys";

  private KeyBroadcasts() {}

  public static void connect(AccessKeys keys, ClusterBroadcasts broadcasts) {
    keys.onChange(change -> broadcasts.publish(ADDRESS, change.toJson().encode()));
    broadcasts.listen(
        ADDRESS, message -> keys.apply(AccessKeys.Change.fromJson(new JsonObject(message))));
  }
}
