package dev.veil.functions.keys;

import dev.veil.runtime.spi.ClusterBroadcasts;
import io.vertx.core.json.JsonObject;

/**
 * Keeps the key caches of all nodes in step: a node that finds a bundle replaced announces the ref
 * and its new ETag on {@value #ADDRESS}, and every node drops its older copy instead of holding it
 * until it expires.
 */
public final class KeyInvalidations {
  public static final String ADDRESS = "veil.keys.invalidate";

  private KeyInvalidations() {}

  public static void connect(KeyCache<?> cache, ClusterBroadcasts broadcasts) {
    cache.onReplaced(
        (ref, etag) ->
            broadcasts.publish(
                ADDRESS, new JsonObject().put("ref", ref.toString()).put("etag", etag).encode()));
    broadcasts.listen(
        ADDRESS,
        message -> {
          JsonObject json = new JsonObject(message);
          String[] ref = json.getString("ref", "").split("/", 2);
          if (ref.length != 2 || json.getString("etag") == null) {
            throw new IllegalArgumentException(
                "a key invalidation needs \"ref\": \"container/keyId\" and \"etag\"");
          }
          cache.invalidate(new KeyRef(ref[0], ref[1]), json.getString("etag"));
        });
  }
}
