package dev.veil.runtime.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import dev.veil.runtime.spi.Leases;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link Leases} on a Hazelcast map, each take-or-renew one atomic entry processor on the key's
 * owner: the entry is set to this holder with a fresh time-to-live when it is absent or already
 * this holder's. Vert.x's cluster-wide {@code AsyncMap} cannot renew (its Hazelcast map has no
 * replace-with-TTL), so a renewal there failed and the lease bounced between members.
 */
public final class HazelcastLeases implements Leases {
  static final String MAP = "veil.leases";
  private final Vertx vertx;
  private final IMap<String, String> map;
  private final String holder;

  public HazelcastLeases(Vertx vertx, HazelcastInstance hazelcast, String holder) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(MAP);
    this.holder = holder;
  }

  @Override
  public Future<Boolean> tryAcquire(String name, Duration ttl) {
    return onContext(map.submitToKey(name, new TakeOrRenew(holder, Math.max(1, ttl.toMillis()))));
  }

  @Override
  public Future<Void> release(String name) {
    return onContext(map.submitToKey(name, new Release(holder))).mapEmpty();
  }

  private <T> Future<T> onContext(java.util.concurrent.CompletionStage<T> stage) {
    Context context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(stage, context);
  }

  /** Takes the lease if free, renews it if already ours; answers whether we hold it now. */
  record TakeOrRenew(String holder, long ttlMillis)
      implements EntryProcessor<String, String, Boolean>, Serializable {
    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      String current = entry.getValue();
      if (current != null && !current.equals(holder)) return false;
      ((ExtendedMapEntry<String, String>) entry).setValue(holder, ttlMillis, TimeUnit.MILLISECONDS);
      return true;
    }
  }

  /** Removes the lease only when we hold it. */
  record Release(String holder) implements EntryProcessor<String, String, Boolean>, Serializable {
    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      if (!holder.equals(entry.getValue())) return false;
      entry.setValue(null);
      return true;
    }
  }
}
