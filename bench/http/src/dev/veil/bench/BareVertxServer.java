package dev.veil.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The peer of the HTTP benchmark: a bare Vert.x HTTP server answering "ok" from the event loop. It asks for
 * the same socket transport as the Veil host (native unless {@code -Dbench.nativeTransport=false}, matching
 * host.json {@code veil.nativeTransport}), so both are measured on the same footing.
 */
public final class BareVertxServer {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    boolean nativeTransport = Boolean.parseBoolean(System.getProperty("bench.nativeTransport", "true"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(nativeTransport));
    vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("content-type", "text/plain; charset=utf-8").end("ok"))
        .listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("bare Vert.x listening on " + s.actualPort() + " ("
            + (vertx.isNativeTransportEnabled() ? "native" : "NIO") + " transport)"))
        .onFailure(err -> {
          err.printStackTrace();
          System.exit(1);
        });
  }
}
