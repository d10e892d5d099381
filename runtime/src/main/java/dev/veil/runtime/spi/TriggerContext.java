package dev.veil.runtime.spi;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.Set;

/** What a {@link TriggerProvider} gets to start a function's trigger. */
public interface TriggerContext extends HostContext {

  /**
   * Runs invocations; the only way a trigger calls user code. A trigger whose events may run on
   * another cluster node asks it for {@link Invoker#routed} per function.
   */
  Invoker invoker();

  /**
   * The host's HTTP router, for HTTP-like triggers. Paths are absolute: a trigger applies {@link
   * HostConfig#routePrefix()} itself and answers 503 once its {@link TriggerHandle#stop()} was
   * called.
   */
  Router router();

  /**
   * Also answers requests whose raw path is exactly {@code path} and whose method is one of {@code
   * methods} with {@code handler}, ahead of the router and without its per-request work. The
   * function must be mounted on {@link #router()} as well and answer alike there: the host still
   * routes such requests through the router where it has to (for a path one of the host's own
   * endpoints serves).
   */
  void serveExactPath(String path, Set<HttpMethod> methods, Handler<HttpServerRequest> handler);

  /** Function, host and master keys, for triggers that authorize callers. */
  AuthKeys keys();

  /** Tells {@code listener} of every invocation this host runs from now on (e.g. a live log). */
  default void addInvocationListener(InvocationListener listener) {
    throw new UnsupportedOperationException("this host does not report its invocations");
  }
}
