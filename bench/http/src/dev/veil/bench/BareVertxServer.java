package dev.veil.bench;

import io.vertx.core.Vertx;

/** The peer of the HTTP benchmark: a bare Vert.x HTTP server answering "ok" from the event loop. */
public final class BareVertxServer {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx.vertx().createHttpServer()
        .requestHandler(req -> req.response().putHeader("content-type", "text/plain; charset=utf-8").end("ok"))
        .listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("bare Vert.x listening on " + s.actualPort()))
        .onFailure(err -> {
          err.printStackTrace();
          System.exit(1);
        });
  }
}
