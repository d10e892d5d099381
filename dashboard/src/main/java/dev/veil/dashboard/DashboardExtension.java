package dev.veil.dashboard;

import dev.veil.runtime.spi.HostExtension;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.TriggerContext;
import io.vertx.core.Future;

/**
 * Serves the dashboard under {@code /ui} on the host's router: sign in with the master key, then
 * the functions with their rates, errors and latencies, the live invocation log, the key cache, the
 * cluster, the accelerator pool, trigger figures and batch runs. Configured in host.json {@code
 * veil.dashboard} (see {@link DashboardSettings}).
 */
public final class DashboardExtension implements HostExtension {
  private DashboardRoutes routes;

  @Override
  public Future<Void> start(TriggerContext host, HostScope scope, boolean servesTls) {
    DashboardSettings settings;
    try {
      settings = DashboardSettings.from(host.hostConfig().json());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (!settings.enabled()) return Future.succeededFuture();
    InvocationLog log = new InvocationLog(settings.logLines());
    return host.vertx()
        .executeBlocking(Assets::load, false)
        .map(
            assets -> {
              host.addInvocationListener(log);
              routes =
                  new DashboardRoutes(
                      host.vertx(),
                      host.keys(),
                      new Sessions(settings, servesTls),
                      log,
                      new MeterHistory(scope.meterRegistry()),
                      scope.nodeReports(),
                      assets,
                      host.hostConfig().routePrefix(),
                      settings.sampleEvery().toMillis());
              routes.mount(host.router());
              return null;
            });
  }

  @Override
  public Future<Void> stop() {
    if (routes != null) routes.stop();
    return Future.succeededFuture();
  }
}
