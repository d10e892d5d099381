package dev.veil.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Cluster mode (Vert.x + Hazelcast). Kept apart from {@link VeilHost} so that a stand-alone host never
 * loads Hazelcast. Routing invocations to other nodes over the event bus builds on this.
 */
final class Clustering {
  private Clustering() {}

  static Future<Vertx> clusteredVertx() {
    return Vertx.builder().withClusterManager(new HazelcastClusterManager()).buildClustered();
  }
}
