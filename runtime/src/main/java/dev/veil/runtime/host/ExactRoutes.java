package dev.veil.runtime.host;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Function routes without parameters, answered ahead of the Vert.x Web router.
 *
 * <p>The router's per-request work (a routing context, matching every route in order, the handler
 * chain) costs as much as the rest of a no-op invocation. A request whose path is exactly a
 * function's path skips it with one map look-up. Everything else (other methods, paths that need
 * normalizing, templated routes, the host's own endpoints) still goes through the router, where the
 * same functions are mounted too.
 */
public final class ExactRoutes {
  /** Path → method → handler; functions may share a path with different methods. */
  private final Map<String, Map<HttpMethod, Handler<HttpServerRequest>>> byPath =
      new ConcurrentHashMap<>();

  private final List<Route> hostRoutes;

  /**
   * @param hostRoutes the routes the host mounted before the functions' (admin, health, metrics): a
   *     path any of them serves stays theirs
   */
  public ExactRoutes(List<Route> hostRoutes) {
    this.hostRoutes = List.copyOf(hostRoutes);
  }

  /**
   * Adds a path; ignored when a host route serves it (the router then answers it). Where two
   * functions take the same method on the same path, the first added keeps it, as on the router.
   */
  public void add(String path, Set<HttpMethod> methods, Handler<HttpServerRequest> handler) {
    if (hostRoutes.stream().anyMatch(r -> serves(r, path))) return;
    Map<HttpMethod, Handler<HttpServerRequest>> byMethod =
        byPath.computeIfAbsent(path, p -> new ConcurrentHashMap<>());
    methods.forEach(m -> byMethod.putIfAbsent(m, handler));
  }

  /** Answers the request when its path is an exact function path; false when the router has to. */
  public boolean dispatch(HttpServerRequest request) {
    if (byPath.isEmpty()) return false;
    Map<HttpMethod, Handler<HttpServerRequest>> byMethod = byPath.get(request.path());
    Handler<HttpServerRequest> handler = byMethod == null ? null : byMethod.get(request.method());
    if (handler == null) return false;
    handler.handle(request);
    return true;
  }

  private static boolean serves(Route route, String path) {
    if (route.isRegexPath() || route.getPath() == null)
      return true; // cannot tell: leave the path to the router
    String routePath = route.getPath();
    if (route.isExactPath()) return routePath.equals(path);
    // "/admin/*" also matches "/admin"
    return path.startsWith(
        routePath.endsWith("/") ? routePath.substring(0, routePath.length() - 1) : routePath);
  }
}
