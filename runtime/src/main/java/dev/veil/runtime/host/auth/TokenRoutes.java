package dev.veil.runtime.host.auth;

import io.vertx.ext.web.Router;

/**
 * {@code GET /.well-known/jwks.json}: the public half of the host's own token signing key (open,
 * like any JWKS).
 */
public final class TokenRoutes {
  private TokenRoutes() {}

  public static void mount(Router router, HostAuth auth) {
    if (!auth.tokens()) return;
    String jwks = auth.signingKey().publicKeys().toString();
    router
        .get("/.well-known/jwks.json")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "application/jwk-set+json")
                    .putHeader("cache-control", "max-age=300")
                    .end(jwks));
  }
}
