package dev.veil.triggers.http;

import dev.veil.runtime.spi.HttpErrors;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Answers a request for a function's path with a method none of its functions takes: 405 with an
 * {@code Allow} header listing the methods that path takes (RFC 9110), as the Azure host does.
 * Mounted once per router, behind every other route.
 */
final class AllowedMethods {
  private record PathMethods(Pattern path, Set<HttpMethod> methods) {}

  private final List<PathMethods> paths = new CopyOnWriteArrayList<>();

  AllowedMethods(Router router) {
    router.route().order(Integer.MAX_VALUE).handler(this::handle);
  }

  /** Records the methods a function takes at a path given as a regular expression. */
  void add(String pathRegex, Set<HttpMethod> methods) {
    paths.add(new PathMethods(Pattern.compile(pathRegex), Set.copyOf(methods)));
  }

  private void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    Set<String> allowed = new TreeSet<>();
    for (PathMethods p : paths) {
      if (p.path.matcher(path).matches()) p.methods.forEach(m -> allowed.add(m.name()));
    }
    if (allowed.isEmpty() || allowed.contains(ctx.request().method().name())) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("allow", String.join(", ", allowed));
    HttpErrors.send(
        ctx,
        405,
        "method "
            + ctx.request().method()
            + " is not allowed at "
            + path
            + "; allowed: "
            + String.join(", ", allowed),
        null);
  }
}
