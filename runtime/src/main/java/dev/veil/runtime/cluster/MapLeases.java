package dev.veil.runtime.cluster;

import dev.veil.runtime.spi.Leases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.time.Duration;

/**
 * {@link Leases} on a stand-alone host's Vert.x shared map with per-entry time-to-live: the value
 * is the holder's id; take = put-if-absent, renew = replace-if-still-mine, both with the TTL. A
 * clustered host uses {@link HazelcastLeases}.
 */
public final class MapLeases implements Leases {
  private static final String MAP = "veil.leases";
  private final Vertx vertx;
  private final String holder;

  public MapLeases(Vertx vertx, String holder) {
    this.vertx = vertx;
    this.holder = holder;
  }

  @Override
  public Future<Boolean> tryAcquire(String name, Duration ttl) {
    long ms = Math.max(1, ttl.toMillis());
    return map()
        .compose(
            m ->
                m.putIfAbsent(name, holder, ms)
                    .compose(
                        current -> {
                          if (current == null) return Future.succeededFuture(true);
                          if (!current.equals(holder)) return Future.succeededFuture(false);
                          return m.replaceIfPresent(name, holder, holder, ms);
                        }));
  }

  @Override
  public Future<Void> release(String name) {
    return map().compose(m -> m.removeIfPresent(name, holder)).mapEmpty();
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap(MAP);
  }
}
