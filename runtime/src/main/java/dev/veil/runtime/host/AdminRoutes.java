package dev.veil.runtime.host;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HttpErrors;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Ops endpoints: {@code /admin/functions} and {@code /admin/host/status} (master key, like Azure's
 * admin API), {@code /health/live}, {@code /health/ready} and {@code /metrics} (open, for probes
 * and scrapers).
 */
public final class AdminRoutes {
  private AdminRoutes() {}

  public static void mount(
      Router router,
      AuthKeys keys,
      PrometheusMeterRegistry registry,
      Supplier<JsonArray> functions,
      Supplier<JsonObject> status,
      BooleanSupplier ready) {
    router
        .get("/health/live")
        .handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
    router
        .get("/health/ready")
        .handler(
            ctx -> {
              boolean ok = ready.getAsBoolean();
              json(ctx, ok ? 200 : 503, new JsonObject().put("status", ok ? "ready" : "not ready"));
            });
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(registry.scrape()));
    router
        .route("/admin/*")
        .handler(
            ctx -> {
              if (keys.authorizes(AuthorizationLevel.ADMIN, null, HttpErrors.presentedKey(ctx))) {
                ctx.next();
              } else {
                HttpErrors.send(
                    ctx,
                    401,
                    "the admin API needs the master key (x-functions-key header or code query parameter)",
                    null);
              }
            });
    router
        .get("/admin/functions")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .end(functions.get().encode()));
    router.get("/admin/host/status").handler(ctx -> json(ctx, 200, status.get()));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body.encode());
  }
}
