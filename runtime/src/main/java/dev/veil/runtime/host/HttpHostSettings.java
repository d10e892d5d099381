package dev.veil.runtime.host;

import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The HTTP settings the Azure host applies to every response: host.json {@code
 * extensions.http.customHeaders} and local.settings.json {@code Host.CORS} (comma-separated
 * origins, {@code *} for any) with {@code Host.CORSCredentials}. CORS preflights ({@code OPTIONS}
 * with {@code Origin} and {@code Access-Control-Request-Method}) are answered here, before any
 * route: 204 for an allowed origin, 403 naming the origin otherwise.
 */
public final class HttpHostSettings {
  private static final int PREFLIGHT_MAX_AGE_SECONDS = 600;

  private final Map<String, String> customHeaders;
  private final Set<String> origins;
  private final boolean anyOrigin;
  private final boolean credentials;

  HttpHostSettings(Map<String, String> customHeaders, Set<String> origins, boolean credentials) {
    this.customHeaders = Map.copyOf(customHeaders);
    this.anyOrigin = origins.contains("*");
    this.origins = Set.copyOf(origins);
    this.credentials = credentials;
  }

  /**
   * Reads the settings.
   *
   * @param localHost the {@code Host} section of local.settings.json (empty when absent)
   * @throws IllegalArgumentException naming the setting when one has the wrong type
   */
  public static HttpHostSettings of(HostConfig config, JsonObject localHost) {
    Map<String, String> headers = new LinkedHashMap<>();
    Object custom = config.extension("http").getValue("customHeaders");
    if (custom != null && !(custom instanceof JsonObject)) {
      throw new IllegalArgumentException(
          "host.json: extensions.http.customHeaders must be an object of header names to values");
    }
    if (custom instanceof JsonObject o)
      o.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    Object cors = localHost.getValue("CORS");
    if (cors != null && !(cors instanceof String)) {
      throw new IllegalArgumentException(
          "local.settings.json: Host.CORS must be a string of comma-separated origins");
    }
    Set<String> origins =
        cors == null
            ? Set.of()
            : Stream.of(((String) cors).split(","))
                .map(String::strip)
                .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o)
                .filter(o -> !o.isEmpty())
                .collect(Collectors.toSet());
    Object credentials = localHost.getValue("CORSCredentials", false);
    boolean allowCredentials =
        credentials instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(credentials));
    return new HttpHostSettings(headers, origins, allowCredentials);
  }

  /** Whether any of this applies; when not, the host does not install the handler at all. */
  public boolean active() {
    return !customHeaders.isEmpty() || !origins.isEmpty();
  }

  /**
   * Adds the configured headers to the request's response and answers a CORS preflight; true when
   * the request has been answered here.
   */
  public boolean handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    // Set before any handler runs, so a header the function sets itself wins.
    if (!customHeaders.isEmpty()) customHeaders.forEach(response.headers()::set);
    if (origins.isEmpty()) return false;
    String origin = request.getHeader("origin");
    if (origin == null) return false;
    boolean allowed = anyOrigin || origins.contains(origin);
    String requestedMethod = request.getHeader("access-control-request-method");
    if (request.method() == HttpMethod.OPTIONS && requestedMethod != null) {
      if (!allowed) {
        response
            .setStatusCode(403)
            .putHeader("content-type", "application/json")
            .end(
                new JsonObject()
                    .put("error", "origin " + origin + " is not allowed by Host.CORS")
                    .encode());
        return true;
      }
      MultiMap headers = response.headers();
      allowOrigin(headers, origin);
      headers.set("access-control-allow-methods", requestedMethod);
      String requestedHeaders = request.getHeader("access-control-request-headers");
      if (requestedHeaders != null) headers.set("access-control-allow-headers", requestedHeaders);
      headers.set("access-control-max-age", String.valueOf(PREFLIGHT_MAX_AGE_SECONDS));
      response.setStatusCode(204).end();
      return true;
    }
    if (allowed) allowOrigin(response.headers(), origin);
    return false;
  }

  private void allowOrigin(MultiMap headers, String origin) {
    // With credentials a browser refuses "*": the origin itself is named, and caches must vary by
    // it.
    headers.set("access-control-allow-origin", anyOrigin && !credentials ? "*" : origin);
    if (credentials) headers.set("access-control-allow-credentials", "true");
    if (!anyOrigin || credentials) headers.add("vary", "Origin");
  }

  /** The origins allowed, for the start-up log. */
  public List<String> origins() {
    return origins.stream().sorted().toList();
  }
}
