package dev.veil.runtime.spi;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * Named, expiring leases across the cluster (one holder at a time), e.g. "one node lists this
 * container". A holder renews by asking again before the lease expires; a crashed holder's lease
 * lapses after its time-to-live. On a stand-alone host every lease is granted.
 */
public interface Leases {

  /** Whether this node holds the lease now (newly taken or renewed for {@code ttl}). */
  Future<Boolean> tryAcquire(String name, Duration ttl);

  /** Gives the lease up if this node holds it. */
  Future<Void> release(String name);
}
