package dev.veil.runtime.spi;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON error answers ({@code {"error": ..., "invocationId": ...}}) and key extraction shared by
 * host routes and HTTP triggers.
 */
public final class HttpErrors {
  public static final String KEY_HEADER = "x-functions-key";
  public static final String KEY_QUERY_PARAM = "code";

  private HttpErrors() {}

  public static void send(RoutingContext ctx, int status, String message, String invocationId) {
    send(ctx.response(), status, message, invocationId);
  }

  /** Answers {@code status} with the JSON error, unless the response was already sent. */
  public static void send(
      HttpServerResponse response, int status, String message, String invocationId) {
    if (response.ended()) return;
    JsonObject body = new JsonObject().put("error", message);
    if (invocationId != null) body.put("invocationId", invocationId);
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /**
   * Answers {@code status} with the JSON error and closes the connection once it is written, so a
   * client refused before its request was read cannot go on sending on it. HTTP/2 keeps the
   * connection.
   */
  public static void sendAndClose(HttpServerRequest request, int status, String message) {
    HttpServerResponse response = request.response();
    if (response.ended()) return;
    boolean http1 = request.version() != HttpVersion.HTTP_2;
    if (http1) response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).encode())
        .onComplete(
            ar -> {
              if (http1) request.connection().close();
            });
  }

  /**
   * The key a caller presented: the {@code x-functions-key} header, the {@code code} query
   * parameter, or an {@code Authorization} header holding the bare key (the Brainwave clients'
   * form; not a Bearer token).
   */
  public static String presentedKey(RoutingContext ctx) {
    return presentedKey(ctx.request());
  }

  /** As {@link #presentedKey(RoutingContext)}, for a request served without the router. */
  public static String presentedKey(HttpServerRequest request) {
    String header = request.getHeader(KEY_HEADER);
    if (header != null) return header;
    String query = request.getParam(KEY_QUERY_PARAM);
    if (query != null) return query;
    String authorization = request.getHeader("authorization");
    return authorization == null || authorization.indexOf(' ') >= 0
        ? null
        : authorization; // "Bearer x", "Basic x": a scheme, not a key
  }
}
