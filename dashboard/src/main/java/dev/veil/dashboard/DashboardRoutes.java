package dev.veil.dashboard;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.dashboard.Sessions.Session;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HttpErrors;
import dev.veil.runtime.spi.InvocationListener.Event;
import dev.veil.runtime.spi.NodeReports;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The dashboard's routes under {@code /ui}: the page and its bundled assets (open), the sign-in
 * form's target, and {@code /ui/api/*} for signed-in browsers only: the session, sign-out, the
 * sampled meters, the live invocation log (Server-Sent Events) and read-only views of the host's
 * admin endpoints, which the dashboard calls with the session's master key on the browser's behalf.
 */
final class DashboardRoutes {
  /** No inline script or style anywhere; the page talks to its own origin only. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private static final long LOG_TICK_MS = 500;
  private static final int LOG_BACKLOG_MAX = 1000;

  private final Vertx vertx;
  private final AuthKeys keys;
  private final Sessions sessions;
  private final InvocationLog log;
  private final MeterHistory history;
  private final NodeReports reports;
  private final Assets assets;
  private final Map<String, String> hostViews;
  private final long sampleMillis;
  private boolean clustered;
  private final AtomicLong sampler = new AtomicLong(-1);

  DashboardRoutes(
      Vertx vertx,
      AuthKeys keys,
      Sessions sessions,
      InvocationLog log,
      MeterHistory history,
      NodeReports reports,
      Assets assets,
      String routePrefix,
      long sampleMillis) {
    this.vertx = vertx;
    this.keys = keys;
    this.sessions = sessions;
    this.log = log;
    this.history = history;
    this.reports = reports;
    this.assets = assets;
    this.sampleMillis = sampleMillis;
    String api = routePrefix.isEmpty() ? "" : "/" + routePrefix;
    this.hostViews =
        Map.of(
            "functions", "/admin/functions",
            "status", "/admin/host/status",
            "cluster", "/admin/cluster",
            "batch", api + "/batch/runs");
  }

  void mount(Router router) {
    // The host mounts /admin/cluster before extensions start, on a clustered host only.
    clustered = router.getRoutes().stream().anyMatch(r -> "/admin/cluster".equals(r.getPath()));
    router.route("/ui*").handler(DashboardRoutes::securityHeaders);
    router
        .getWithRegex("/ui/?")
        .handler(ctx -> send(ctx, assets.html(), "text/html; charset=utf-8"));
    router.get("/ui/app.js").handler(ctx -> send(ctx, assets.script(), "text/javascript"));
    router.get("/ui/app.css").handler(ctx -> send(ctx, assets.styles(), "text/css"));
    router
        .post("/ui/session")
        .handler(BodyHandler.create().setBodyLimit(4096))
        .handler(this::signIn);
    router.get("/ui/session").handler(this::describeSession);
    router.route("/ui/api/*").handler(this::requireSession);
    router.post("/ui/api/signout").handler(this::signOut);
    router.get("/ui/api/overview").handler(this::overview);
    router.get("/ui/api/log").handler(this::logStream);
    router.get("/ui/api/host/:view").handler(this::hostView);
    router.delete("/ui/api/host/batch/:id").handler(this::cancelRun);
  }

  private static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("content-security-policy", CSP)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader(
            "referrer-policy",
            "same-origin") // "no-referrer" would make the form post say Origin: null
        .putHeader("x-frame-options", "DENY")
        .putHeader("cache-control", "no-store");
    ctx.next();
  }

  private static void send(RoutingContext ctx, Buffer body, String type) {
    ctx.response().putHeader("content-type", type).end(body);
  }

  /**
   * The sign-in form's POST: the master key for a session cookie, then back to the page. Only from
   * a page of this origin (Origin header), so another site cannot sign a browser in.
   */
  private void signIn(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!sameOrigin(request)) {
      HttpErrors.send(ctx, 403, "sign-in is only accepted from the dashboard's own page", null);
      return;
    }
    String key = request.getFormAttribute("key");
    if (key == null || key.isEmpty() || !keys.authorizes(AuthorizationLevel.ADMIN, null, key)) {
      ctx.response().putHeader("location", "/ui/?signin=failed").setStatusCode(303).end();
      return;
    }
    Session s = sessions.create(key);
    startSampling();
    ctx.response().addCookie(sessions.cookie(s));
    ctx.response().putHeader("location", "/ui/").setStatusCode(303).end();
  }

  private static boolean sameOrigin(HttpServerRequest request) {
    String origin = request.getHeader("origin");
    if (origin == null) return "same-origin".equals(request.getHeader("sec-fetch-site"));
    return request.authority() != null
        && origin.equals(request.scheme() + "://" + request.authority());
  }

  /** {@code /ui/api/*}: a live session, and its CSRF token on anything but a read. */
  private void requireSession(RoutingContext ctx) {
    Session s = sessions.of(ctx.request());
    if (s == null) {
      HttpErrors.send(ctx, 401, "not signed in (or the session expired): sign in at /ui/", null);
      return;
    }
    HttpMethod m = ctx.request().method();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD && !Sessions.csrfMatches(s, ctx.request())) {
      HttpErrors.send(
          ctx, 403, "missing or wrong " + Sessions.CSRF_HEADER + " header (CSRF check)", null);
      return;
    }
    ctx.put("session", s);
    startSampling();
    ctx.next();
  }

  /**
   * Whether this browser is signed in and, if so, the session's CSRF token (readable by pages of
   * this origin only). Open, so the page can tell without an error in the console.
   */
  private void describeSession(RoutingContext ctx) {
    Session s = sessions.of(ctx.request());
    if (s == null) {
      json(ctx, new JsonObject().put("signedIn", false));
      return;
    }
    json(
        ctx,
        new JsonObject()
            .put("signedIn", true)
            .put("csrf", s.csrf())
            .put("expiresInMs", Math.max(0, s.expiresAtMillis() - System.currentTimeMillis()))
            .put("sampleSeconds", sampleMillis / 1000.0)
            // the batch service's route as /admin/functions lists it: the page asks for runs only
            // when a function serves it (a 404 on every refresh would be a console error)
            .put("batchRoute", hostViews.get("batch")));
  }

  private void signOut(RoutingContext ctx) {
    sessions.remove(ctx.get("session"));
    ctx.response().addCookie(sessions.expiredCookie()).setStatusCode(204).end();
  }

  private void overview(RoutingContext ctx) {
    JsonObject body = history.json();
    reports
        .collect()
        .onComplete(
            ar -> {
              body.put("reports", ar.succeeded() ? ar.result() : new JsonObject());
              json(ctx, body);
            });
  }

  /**
   * The invocation log as Server-Sent Events: the newest {@code tail} lines, then each new one,
   * filtered by {@code function} and {@code status} ({@code errors}: anything but success). Ends
   * when the session does.
   */
  private void logStream(RoutingContext ctx) {
    Session s = ctx.get("session");
    String function = blankToNull(ctx.request().getParam("function"));
    String status = blankToNull(ctx.request().getParam("status"));
    int tail;
    try {
      tail = Integer.parseInt(ctx.request().getParam("tail", "200"));
    } catch (NumberFormatException e) {
      HttpErrors.send(ctx, 400, "tail must be a whole number", null);
      return;
    }
    if (tail < 0 || tail > LOG_BACKLOG_MAX) {
      HttpErrors.send(ctx, 400, "tail must be 0.." + LOG_BACKLOG_MAX, null);
      return;
    }
    Predicate<Event> filter =
        e ->
            (function == null || function.equals(e.function()))
                && (status == null
                    || (status.equals("errors")
                        ? !"success".equals(e.status())
                        : status.equals(e.status())));
    HttpServerResponse response =
        ctx.response()
            .putHeader("content-type", "text/event-stream; charset=utf-8")
            .setChunked(true);
    response.write("retry: 5000\n\n");
    long[] position = {0};
    InvocationLog.Page first = log.since(0, tail, filter);
    position[0] = first.next();
    write(response, first);
    long[] quiet = {0};
    long timer =
        vertx.setPeriodic(
            LOG_TICK_MS,
            id -> {
              if (!sessions.live(s)) {
                vertx.cancelTimer(id);
                response.end();
                return;
              }
              InvocationLog.Page page = log.since(position[0], LOG_BACKLOG_MAX, filter);
              position[0] = page.next();
              if (!page.events().isEmpty()) {
                quiet[0] = 0;
                write(response, page);
              } else if (++quiet[0] * LOG_TICK_MS >= 20_000) {
                quiet[0] = 0;
                response.write(":\n\n"); // a comment keeps proxies from closing an idle stream
              }
            });
    response.closeHandler(v -> vertx.cancelTimer(timer));
  }

  private static void write(HttpServerResponse response, InvocationLog.Page page) {
    if (page.events().isEmpty()) return;
    StringBuilder out = new StringBuilder();
    for (Event e : page.events()) {
      out.append("data: ").append(InvocationLog.json(e).encode()).append("\n\n");
    }
    response.write(out.toString());
  }

  /** A read-only host endpoint, called with the session's master key. */
  private void hostView(RoutingContext ctx) {
    String path = hostViews.get(ctx.pathParam("view"));
    if (path != null && path.equals("/admin/cluster") && !clustered) {
      json(ctx, new JsonObject().put("clustered", false));
      return;
    }
    if (path == null) {
      HttpErrors.send(ctx, 404, "no host view named '" + ctx.pathParam("view") + "'", null);
      return;
    }
    asHost(ctx, HttpMethod.GET, path);
  }

  private void cancelRun(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!id.matches("[A-Za-z0-9_-]{1,128}")) {
      HttpErrors.send(ctx, 400, "not a batch run id", null);
      return;
    }
    asHost(ctx, HttpMethod.DELETE, hostViews.get("batch") + "/" + id);
  }

  /** Hands the request to the host's own route for {@code path}, presenting the master key. */
  private static void asHost(RoutingContext ctx, HttpMethod method, String path) {
    Session s = ctx.get("session");
    ctx.request().headers().remove("cookie").set("x-functions-key", s.masterKey());
    ctx.reroute(method, path);
  }

  /** Samples the meters while anyone is signed in; stops when the last session ends. */
  private void startSampling() {
    if (!sampler.compareAndSet(-1, 0)) return;
    history.sample();
    sampler.set(
        vertx.setPeriodic(
            sampleMillis,
            id -> {
              if (!sessions.anyLive()) {
                vertx.cancelTimer(id);
                sampler.set(-1);
                return;
              }
              history.sample();
            }));
  }

  void stop() {
    long id = sampler.getAndSet(-2); // never restarted after the host stops
    if (id >= 0) vertx.cancelTimer(id);
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.encode());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
