package dev.veil.runtime.spi;

import io.vertx.core.Future;

/**
 * Serves something beside the functions on the host's own router, keys and Vert.x (e.g. another
 * protocol's endpoints). Listed in {@code META-INF/services/dev.veil.runtime.spi.HostExtension} on
 * the host's class path (not an app's) with a public no-argument constructor. Both methods run on
 * the event loop and must not block.
 */
public interface HostExtension {

  /**
   * Called once when the host starts, after the bindings, beside the triggers and the listeners:
   * the host may already answer its functions while an extension starts, and reports ready only
   * once it has.
   *
   * @param scope the host's scope, as its function instances get it (e.g. to share the accelerator
   *     pool with them)
   * @param servesTls whether the host's main listener is HTTPS (with HTTP/2 by ALPN)
   */
  Future<Void> start(TriggerContext host, HostScope scope, boolean servesTls);

  /** Called once when the host stops, after the triggers stopped taking requests. */
  default Future<Void> stop() {
    return Future.succeededFuture();
  }
}
