package dev.veil.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The exact-path front against a real router and server: what it answers and what it leaves to the
 * router.
 */
class ExactRoutesTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private Vertx vertx;
  private Router router;
  private HttpServer server;

  @BeforeEach
  void mountHostRoutes() {
    vertx = Vertx.vertx();
    router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> ctx.end("router metrics"));
    router.route("/admin/*").handler(ctx -> ctx.end("router admin"));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void answersExactPathsAndLeavesEverythingElseToTheRouter() throws Exception {
    ExactRoutes front = new ExactRoutes(router.getRoutes());
    mountFunction(front, "/api/hello");
    front.add("/metrics", Set.of(HttpMethod.GET), answer("front metrics"));
    front.add("/admin", Set.of(HttpMethod.GET), answer("front admin"));
    listen(front);

    assertEquals("front /api/hello", call("GET", "/api/hello"));
    assertEquals("front /api/hello", call("GET", "/api/hello?x=1"));
    assertEquals(
        "router /api/hello", call("POST", "/api/hello"), "a method the front was not given");
    assertEquals(
        "router /api/hello",
        call("GET", "/api/hello/"),
        "a path that only matches once normalized");
    assertEquals(
        "router metrics", call("GET", "/metrics"), "the host's own endpoints stay the router's");
    assertEquals("router admin", call("GET", "/admin"));
  }

  @Test
  void functionsShareAPathByMethodAndTheFirstKeepsAMethodBothTake() throws Exception {
    ExactRoutes front = new ExactRoutes(router.getRoutes());
    front.add("/api/items", Set.of(HttpMethod.GET), answer("list"));
    front.add("/api/items", Set.of(HttpMethod.POST, HttpMethod.GET), answer("create"));
    listen(front);
    assertEquals("list", call("GET", "/api/items"));
    assertEquals("create", call("POST", "/api/items"));
  }

  private void mountFunction(ExactRoutes front, String path) {
    router.route(path).handler(ctx -> ctx.end("router " + path));
    front.add(path, Set.of(HttpMethod.GET), answer("front " + path));
  }

  private static Handler<HttpServerRequest> answer(String text) {
    return request -> request.response().end(text);
  }

  private void listen(ExactRoutes front) throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  if (!front.dispatch(request)) router.handle(request);
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  private String call(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }
}
