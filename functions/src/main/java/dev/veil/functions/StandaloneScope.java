package dev.veil.functions;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.ClusterBroadcasts;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.NodeReports;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The scope Veil's function classes use where no Veil host creates them: Azure's Java worker calls
 * their no-argument constructors, which take this. It is the one place that reads the process: on
 * Azure app settings reach the worker as environment variables, there is no host registry (meters
 * go to Micrometer's global registry, where an app's exporter looks), no cluster, and the
 * accelerator pool gets a Vert.x of its own. Inside a Veil host none of this is used: the host
 * passes its own {@link HostScope} to the scope constructor.
 */
public final class StandaloneScope implements HostScope {
  private final AppSettings settings = new AppSettings(System.getenv());
  private final ClusterBroadcasts broadcasts = new ClusterBroadcasts();
  private final NodeReports reports = new NodeReports();
  private final Map<Class<?>, Object> shared = new LinkedHashMap<>();
  private Vertx vertx;

  private StandaloneScope() {}

  /** This process's scope, made on first use (Azure creates a function instance per invocation). */
  public static HostScope get() {
    return Process.SCOPE;
  }

  private static final class Process {
    static final StandaloneScope SCOPE =
        new StandaloneScope(); // class initialization: once, thread-safe
  }

  @Override
  public synchronized Vertx vertx() {
    if (vertx == null) vertx = Vertx.vertx();
    return vertx;
  }

  @Override
  public AppSettings settings() {
    return settings;
  }

  @Override
  public MeterRegistry meterRegistry() {
    return Metrics.globalRegistry;
  }

  @Override
  public ClusterBroadcasts broadcasts() {
    return broadcasts;
  }

  @Override
  public NodeReports nodeReports() {
    return reports;
  }

  @Override
  public synchronized <T> T shared(Class<T> type, Function<HostScope, T> create) {
    Object value = shared.get(type);
    if (value == null) {
      value = create.apply(this);
      shared.put(type, value);
    }
    return type.cast(value);
  }
}
