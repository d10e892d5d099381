package dev.veil.runtime.spi;

import io.vertx.ext.web.Router;

/** What a {@link TriggerProvider} gets to start a function's trigger. */
public interface TriggerContext extends HostContext {

  /** Runs invocations; the only way a trigger calls user code. */
  Invoker invoker();

  /**
   * The host's HTTP router, for HTTP-like triggers. Paths are absolute: a trigger applies
   * {@link HostConfig#routePrefix()} itself and answers 503 once its {@link TriggerHandle#stop()} was called.
   */
  Router router();

  /** Function, host and master keys, for triggers that authorize callers. */
  AuthKeys keys();
}
