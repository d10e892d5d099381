package dev.veil.runtime.cluster;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.ClusterJoin;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.function.Supplier;

/** {@link ClusterJoin} with the host's own cluster settings; always clustered. */
public final class ClusterSettingsJoin implements ClusterJoin {

  @Override
  public Supplier<Future<Vertx>> prepare(
      HostConfig hostConfig, AppSettings settings, String bindHost, Path configDirectory) {
    ClusterSettings cluster =
        ClusterSettings.from(hostConfig, settings, true, bindHost, configDirectory);
    return () -> cluster.start().map(ClusterSettings.Started::vertx);
  }
}
