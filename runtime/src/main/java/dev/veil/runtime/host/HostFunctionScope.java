package dev.veil.runtime.host;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.ClusterBroadcasts;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.NodeReports;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scope one host gives the function instances it creates; the host closes it before its Vert.x.
 */
public final class HostFunctionScope implements HostScope {
  private static final Logger LOG = LoggerFactory.getLogger(HostFunctionScope.class);

  private final Vertx vertx;
  private final AppSettings settings;
  private final MeterRegistry registry;
  private final ClusterBroadcasts broadcasts = new ClusterBroadcasts();
  private final NodeReports reports = new NodeReports();
  private final Map<Class<?>, Object> shared = new LinkedHashMap<>();
  private boolean closed;

  public HostFunctionScope(Vertx vertx, AppSettings settings, MeterRegistry registry) {
    this.vertx = vertx;
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public AppSettings settings() {
    return settings;
  }

  @Override
  public MeterRegistry meterRegistry() {
    return registry;
  }

  @Override
  public ClusterBroadcasts broadcasts() {
    return broadcasts;
  }

  @Override
  public NodeReports nodeReports() {
    return reports;
  }

  // One lock for all: creation is rare (first use), and a creator may ask for another shared
  // object.
  @Override
  public synchronized <T> T shared(Class<T> type, Function<HostScope, T> create) {
    if (closed) throw new IllegalStateException("the host is shutting down");
    Object value = shared.get(type);
    if (value == null) {
      value = create.apply(this);
      shared.put(type, value);
    }
    return type.cast(value);
  }

  /** Closes the shared objects that are {@link AutoCloseable}, newest first, on a worker thread. */
  public Future<Void> close() {
    List<Object> values;
    synchronized (this) {
      closed = true;
      values = new ArrayList<>(shared.values());
      shared.clear();
    }
    if (values.isEmpty()) return Future.succeededFuture();
    return vertx.executeBlocking(
        () -> {
          for (int i = values.size() - 1; i >= 0; i--) {
            if (values.get(i) instanceof AutoCloseable c) {
              try {
                c.close();
              } catch (Exception e) {
                LOG.warn("{} could not be closed: {}", c.getClass().getName(), e.toString());
              }
            }
          }
          return null;
        },
        false);
  }
}
