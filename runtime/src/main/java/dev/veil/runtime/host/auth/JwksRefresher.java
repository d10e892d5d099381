package dev.veil.runtime.host.auth;

import com.nimbusds.jose.jwk.JWKSet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the configured JWKS (a file, or an http(s) URL) current off the request path: read at
 * start, again every refresh interval, and soon after a token names an unknown key id (at most once
 * a second). A failed refresh keeps the keys the host has.
 */
final class JwksRefresher {
  private static final Logger LOG = LoggerFactory.getLogger(JwksRefresher.class);
  private static final long MAX_JWKS_BYTES = 1 << 20;
  private static final long MIN_GAP_NANOS = 1_000_000_000L;

  private final Vertx vertx;
  private final String location;
  private final Duration every;
  private final Consumer<JWKSet> sink;
  private HttpClient http;
  private long timer = -1;
  private volatile long lastStart;
  private volatile boolean refreshing;

  JwksRefresher(Vertx vertx, String location, Duration every, Consumer<JWKSet> sink) {
    this.vertx = vertx;
    this.location = location;
    this.every = every;
    this.sink = sink;
  }

  /** Reads the key set once (failing names the file or URL), then keeps refreshing it. */
  Future<Void> start() {
    if (remote()) http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000));
    return fetch()
        .map(
            keys -> {
              sink.accept(keys);
              timer = vertx.setPeriodic(every.toMillis(), id -> refresh());
              return (Void) null;
            })
        .recover(
            err ->
                Future.failedFuture(
                    new IllegalArgumentException(
                        "veil.auth.jwt.jwks: the key set at "
                            + location
                            + " could not be read: "
                            + err.getMessage(),
                        err)));
  }

  /** A refresh now, unless one ran less than a second ago or is running. */
  void refreshSoon() {
    if (refreshing || System.nanoTime() - lastStart < MIN_GAP_NANOS) return;
    vertx.runOnContext(v -> refresh());
  }

  void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    if (http != null) http.close();
  }

  private void refresh() {
    if (refreshing) return;
    refreshing = true;
    lastStart = System.nanoTime();
    fetch()
        .onComplete(
            ar -> {
              refreshing = false;
              if (ar.succeeded()) sink.accept(ar.result());
              else
                LOG.warn(
                    "the JWKS at {} could not be refreshed (keeping the keys the host has): {}",
                    location,
                    ar.cause().getMessage());
            });
  }

  private boolean remote() {
    return location.startsWith("https://") || location.startsWith("http://");
  }

  private Future<JWKSet> fetch() {
    if (!remote()) {
      return vertx.executeBlocking(
          () -> {
            Path file = Path.of(location);
            if (Files.size(file) > MAX_JWKS_BYTES)
              throw new IllegalArgumentException(
                  file + " is larger than " + MAX_JWKS_BYTES + " bytes");
            return JWKSet.parse(Files.readString(file));
          },
          false);
    }
    return http.request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(location)
                .setTimeout(10_000)
                .putHeader("accept", "application/json"))
        .compose(request -> request.send())
        .compose(
            response -> {
              if (response.statusCode() != 200)
                return Future.failedFuture("HTTP " + response.statusCode());
              String length = response.getHeader("content-length");
              if (length != null && Long.parseLong(length) > MAX_JWKS_BYTES)
                return Future.failedFuture("larger than " + MAX_JWKS_BYTES + " bytes");
              return response.body();
            })
        .compose(
            body -> {
              if (body.length() > MAX_JWKS_BYTES)
                return Future.failedFuture("larger than " + MAX_JWKS_BYTES + " bytes");
              try {
                return Future.succeededFuture(JWKSet.parse(body.toString()));
              } catch (java.text.ParseException e) {
                return Future.failedFuture("not a JWKS: " + e.getMessage());
              }
            });
  }
}
