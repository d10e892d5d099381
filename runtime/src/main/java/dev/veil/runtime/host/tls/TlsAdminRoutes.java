package dev.veil.runtime.host.tls;

import dev.veil.runtime.spi.HttpErrors;
import io.vertx.ext.web.Router;

/**
 * {@code POST /admin/host/tls/reload}: reads the certificate files again (behind the admin API's
 * master key check).
 */
public final class TlsAdminRoutes {
  private TlsAdminRoutes() {}

  public static void mount(Router router, HostListeners listeners) {
    router
        .post("/admin/host/tls/reload")
        .handler(
            ctx -> {
              if (!listeners.secure()) {
                HttpErrors.send(
                    ctx,
                    400,
                    "this host does not serve TLS (host.json veil.tls.certificate and veil.tls.key)",
                    null);
                return;
              }
              listeners
                  .reload()
                  .onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          ctx.response()
                              .putHeader("content-type", "application/json")
                              .end(ar.result().encode());
                        } else {
                          HttpErrors.send(ctx, 400, ar.cause().getMessage(), null);
                        }
                      });
            });
  }
}
