package dev.veil.runtime.host.auth;

import dev.veil.runtime.host.auth.AccessKeys.Scope;
import dev.veil.runtime.spi.HttpErrors;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The Azure Functions host's key management API, behind the admin API's master key check: {@code
 * GET /admin/functions/{name}/keys}, {@code GET|PUT|POST|DELETE
 * /admin/functions/{name}/keys/{keyName}} and the same under {@code /admin/host/keys} (where {@code
 * _master} is the master key). PUT takes {@code {"name": ..., "value": ...}}, POST generates a new
 * value; both answer 201 for a new key and 200 for a replaced one, with {@code {"name", "value",
 * "links"}}. DELETE answers 204, or 404 for an unknown key.
 */
public final class KeyRoutes {
  private static final int MAX_BODY_BYTES = 4096;

  private KeyRoutes() {}

  public static void mount(Router router, AccessKeys keys) {
    for (String base : new String[] {"/admin/host/keys", "/admin/functions/:function/keys"}) {
      router
          .get(base)
          .handler(
              ctx ->
                  withScope(
                      ctx,
                      keys,
                      scope -> {
                        JsonArray list = new JsonArray();
                        keys.list(scope)
                            .forEach(
                                (name, value) ->
                                    list.add(
                                        new JsonObject().put("name", name).put("value", value)));
                        json(ctx, 200, new JsonObject().put("keys", list).put("links", links(ctx)));
                      }));
      router
          .get(base + "/:keyName")
          .handler(
              ctx ->
                  withScope(
                      ctx,
                      keys,
                      scope -> {
                        String name = ctx.pathParam("keyName");
                        keys.get(scope, name)
                            .ifPresentOrElse(
                                value -> json(ctx, 200, key(ctx, name, value)),
                                () ->
                                    HttpErrors.send(
                                        ctx,
                                        404,
                                        scope + " has no key named '" + name + "'",
                                        null));
                      }));
      router
          .put(base + "/:keyName")
          .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
          .handler(
              ctx ->
                  withScope(
                      ctx,
                      keys,
                      scope -> {
                        String name = ctx.pathParam("keyName");
                        JsonObject body;
                        try {
                          body = ctx.body().asJsonObject();
                        } catch (DecodeException | ClassCastException e) {
                          HttpErrors.send(
                              ctx,
                              400,
                              "the body must be a JSON object {\"name\": ..., \"value\": ...}",
                              null);
                          return;
                        }
                        if (body == null || !(body.getValue("value") instanceof String value)) {
                          HttpErrors.send(
                              ctx,
                              400,
                              "the body needs a string \"value\" (POST generates one instead)",
                              null);
                          return;
                        }
                        if (body.getValue("name") != null && !name.equals(body.getValue("name"))) {
                          HttpErrors.send(
                              ctx,
                              400,
                              "the body's name '"
                                  + body.getValue("name")
                                  + "' is not the key name in the path '"
                                  + name
                                  + "'",
                              null);
                          return;
                        }
                        change(ctx, keys, scope, name, value);
                      }));
      router
          .post(base + "/:keyName")
          .handler(
              ctx ->
                  withScope(
                      ctx,
                      keys,
                      scope -> change(ctx, keys, scope, ctx.pathParam("keyName"), null)));
      router
          .delete(base + "/:keyName")
          .handler(
              ctx ->
                  withScope(
                      ctx,
                      keys,
                      scope -> {
                        String name = ctx.pathParam("keyName");
                        try {
                          if (keys.delete(scope, name)) ctx.response().setStatusCode(204).end();
                          else
                            HttpErrors.send(
                                ctx, 404, scope + " has no key named '" + name + "'", null);
                        } catch (IllegalArgumentException e) {
                          HttpErrors.send(ctx, 400, e.getMessage(), null);
                        }
                      }));
    }
  }

  private static void change(
      RoutingContext ctx, AccessKeys keys, Scope scope, String name, String value) {
    try {
      boolean created = keys.set(scope, name, value);
      json(ctx, created ? 201 : 200, key(ctx, name, keys.get(scope, name).orElseThrow()));
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, e.getMessage(), null);
    }
  }

  private static void withScope(
      RoutingContext ctx, AccessKeys keys, java.util.function.Consumer<Scope> action) {
    String function = ctx.pathParam("function");
    if (function != null && !keys.knowsFunction(function)) {
      HttpErrors.send(ctx, 404, "no function named '" + function + "'", null);
      return;
    }
    action.accept(function == null ? Scope.HOST : Scope.function(function));
  }

  private static JsonObject key(RoutingContext ctx, String name, String value) {
    JsonArray links =
        new JsonArray().add(new JsonObject().put("rel", "self").put("href", self(ctx, name)));
    return new JsonObject().put("name", name).put("value", value).put("links", links);
  }

  private static JsonArray links(RoutingContext ctx) {
    return new JsonArray().add(new JsonObject().put("rel", "self").put("href", self(ctx, null)));
  }

  private static String self(RoutingContext ctx, String keyName) {
    String path = ctx.request().path();
    if (keyName != null && !path.endsWith("/" + keyName)) path = path + "/" + keyName;
    return ctx.request().scheme() + "://" + ctx.request().authority() + path;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store")
        .end(body.encode());
  }
}
