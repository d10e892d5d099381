package dev.veil.runtime.spi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/**
 * Joins a process that is not a host (e.g. a remote accelerator worker) to a Veil cluster with the
 * same settings a host reads from host.json {@code veil.cluster} (name, members, secret, TLS). The
 * runtime provides the implementation through {@link ServiceLoader}; callers see only this
 * contract.
 */
public interface ClusterJoin {

  /**
   * Checks the settings now, naming any problem in an {@link IllegalArgumentException}, and returns
   * what starts the clustered Vert.x when called.
   *
   * @param hostConfig holds the {@code veil.cluster} section
   * @param settings app settings (the cluster secret and TLS files may be named there)
   * @param bindHost the interface for Hazelcast and the event bus
   * @param configDirectory where relative {@code veil.cluster.tls} files are resolved
   */
  Supplier<Future<Vertx>> prepare(
      HostConfig hostConfig, AppSettings settings, String bindHost, Path configDirectory);

  /** The runtime's implementation, found on the class path. */
  static ClusterJoin load() {
    return ServiceLoader.load(ClusterJoin.class)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("no ClusterJoin on the class path: add veil-runtime"));
  }
}
