package dev.veil.runtime.spi;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON error answers ({@code {"error": ..., "invocationId": ...}}) and key extraction shared by host routes and HTTP triggers. */
public final class HttpErrors {
  public static final String KEY_HEADER = "x-functions-key";
  public static final String KEY_QUERY_PARAM = "code";

  private HttpErrors() {}

  public static void send(RoutingContext ctx, int status, String message, String invocationId) {
    JsonObject body = new JsonObject().put("error", message);
    if (invocationId != null) body.put("invocationId", invocationId);
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** The key a caller presented, from the {@code x-functions-key} header or the {@code code} query parameter. */
  public static String presentedKey(RoutingContext ctx) {
    String header = ctx.request().getHeader(KEY_HEADER);
    return header != null ? header : ctx.request().getParam(KEY_QUERY_PARAM);
  }
}
