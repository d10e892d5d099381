package dev.veil.runtime.host;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.InvocationListener;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.Leases;
import dev.veil.runtime.spi.TriggerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The host's services as extensions see them. */
public record HostServices(
    Vertx vertx,
    AppSettings settings,
    HostConfig hostConfig,
    MeterRegistry meterRegistry,
    Path dataDirectory,
    Invoker invoker,
    Router router,
    ExactRoutes exactRoutes,
    AuthKeys keys,
    Leases leases,
    HostScope scope,
    Consumer<InvocationListener> invocationListeners)
    implements TriggerContext {

  @Override
  public <T> T shared(Class<T> type, Supplier<T> create) {
    return scope.shared(type, s -> create.get());
  }

  @Override
  public void serveExactPath(
      String path, Set<HttpMethod> methods, Handler<HttpServerRequest> handler) {
    exactRoutes.add(path, methods, handler);
  }

  @Override
  public void addInvocationListener(InvocationListener listener) {
    invocationListeners.accept(listener);
  }
}
