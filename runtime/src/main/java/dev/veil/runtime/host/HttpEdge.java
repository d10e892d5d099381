package dev.veil.runtime.host;

import dev.veil.runtime.spi.HttpErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client may cost the host before any function sees its request: connections that never
 * finish their headers, sit idle, or trickle a body are closed at their timeouts ({@link
 * EdgeSettings}); connections beyond the host's or one client address's cap are refused; requests
 * Netty cannot decode get a JSON error and the connection is closed.
 *
 * <p>Each connection has one timer on its own event loop, re-armed as it moves between waiting for
 * headers, reading a body, waiting for its function (checked every second, never closed for it) and
 * idling between requests (noticed by the next check, so idle connections close up to a second
 * after the idle timeout). A connection answered before its body was read is closed, so a refused
 * upload is not read on. HTTP/2 connections (over TLS) are only held to the header timeout of their
 * first request.
 */
public final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

  /** How often a connection whose function is still running is looked at again. */
  private static final long CHECK_MS = 1000;

  /** How long a refused connection may take to send the request its 503 answers. */
  private static final long REFUSAL_GRACE_MS = 1000;

  /** Refused connections held for their answer at once; beyond, they are closed at once. */
  private static final int MAX_REFUSALS_PENDING = 256;

  private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Vertx vertx;
  private final EdgeSettings settings;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refusalsPending = new AtomicInteger();
  private final Map<String, Integer> openByClient = new ConcurrentHashMap<>();
  private final Map<HttpConnection, Watch> watches = new ConcurrentHashMap<>();
  private final Counter headerTimeouts;
  private final Counter idleTimeouts;
  private final Counter bodyTimeouts;
  private final Counter unreadBodies;
  private final Counter refusedForHost;
  private final Counter refusedForClient;
  private final AtomicLong lastRefusalLog =
      new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);

  public HttpEdge(Vertx vertx, EdgeSettings settings, MeterRegistry registry) {
    this.vertx = vertx;
    this.settings = settings;
    Gauge.builder("veil_http_connections_open", open, AtomicInteger::get)
        .description("HTTP connections the host holds open")
        .register(registry);
    headerTimeouts = closed(registry, "header_timeout");
    idleTimeouts = closed(registry, "idle_timeout");
    bodyTimeouts = closed(registry, "body_timeout");
    unreadBodies = closed(registry, "answered_before_body");
    refusedForHost = refused(registry, "host");
    refusedForClient = refused(registry, "client");
  }

  /**
   * The server options the edge needs: no cleartext HTTP/2 (h2c), whose protocol detection hands a
   * connection to the edge only once its first request is complete, too late to time its headers.
   */
  public HttpServerOptions configure(HttpServerOptions options) {
    return options.setHttp2ClearTextEnabled(false);
  }

  /**
   * Puts the edge in front of {@code requests} on a server created with {@link #configure} options.
   */
  public HttpServer install(HttpServer server, Handler<HttpServerRequest> requests) {
    return server
        .connectionHandler(this::accept)
        .invalidRequestHandler(this::invalid)
        .requestHandler(
            request -> {
              if (admit(request)) requests.handle(request);
            });
  }

  /** Connections open now (for tests and status). */
  public int openConnections() {
    return open.get();
  }

  private void accept(HttpConnection conn) {
    String client = clientOf(conn.remoteAddress());
    int total = open.incrementAndGet();
    int fromClient = openByClient.merge(client, 1, Integer::sum);
    String refusal = null;
    if (total > settings.maxConnections()) {
      refusal =
          "the host holds its limit of "
              + settings.maxConnections()
              + " open connections (veil.http.maxConnections)";
      refusedForHost.increment();
    } else if (settings.maxConnectionsPerClient() > 0
        && fromClient > settings.maxConnectionsPerClient()) {
      refusal =
          "client "
              + client
              + " holds its limit of "
              + settings.maxConnectionsPerClient()
              + " open connections (veil.http.maxConnectionsPerClient)";
      refusedForClient.increment();
    }
    Watch watch = new Watch(conn, client, refusal);
    watches.put(conn, watch);
    conn.closeHandler(v -> release(watch));
    if (refusal == null) {
      watch.arm(settings.headerTimeout().toMillis(), false);
      return;
    }
    logRefusal(refusal);
    if (refusalsPending.incrementAndGet() > MAX_REFUSALS_PENDING) {
      conn.close();
    } else {
      watch.arm(REFUSAL_GRACE_MS, false);
    }
  }

  /** False when the edge answered the request itself (a refused connection). */
  private boolean admit(HttpServerRequest request) {
    Watch watch = watches.get(request.connection());
    if (watch == null) return true; // a connection the edge did not see open (none expected)
    if (watch.refusal != null) {
      request.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      HttpErrors.sendAndClose(request, 503, watch.refusal);
      return false;
    }
    if (request.version() == HttpVersion.HTTP_2) {
      watch.cancel();
      return true;
    }
    watch.request = request;
    watch.hasBody = hasBody(request);
    watch.startedNanos = System.nanoTime();
    watch.idleSinceNanos = 0;
    // A check already due within a second looks at this request too: on a busy kept-alive
    // connection the timer
    // is re-armed about once a second, not once per request.
    if (!watch.checking) watch.arm(Math.min(CHECK_MS, settings.bodyTimeout().toMillis()), true);
    return true;
  }

  /**
   * A request Netty could not decode: a JSON error naming the problem, then the connection closes.
   */
  private void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    if (cause instanceof TooLongHttpLineException) {
      HttpErrors.sendAndClose(request, 414, "the request line is longer than this host accepts");
    } else if (cause instanceof TooLongHttpHeaderException) {
      HttpErrors.sendAndClose(
          request, 431, "the request headers are larger than this host accepts");
    } else {
      String detail =
          cause == null || cause.getMessage() == null ? "" : ": " + firstLine(cause.getMessage());
      HttpErrors.sendAndClose(request, 400, "the request is not valid HTTP" + detail);
    }
  }

  private void check(Watch watch) {
    HttpServerRequest request = watch.request;
    if (request == null) {
      if (watch.refusal == null) headerTimeouts.increment();
      watch.conn.close();
      return;
    }
    long now = System.nanoTime();
    boolean bodyPending = watch.hasBody && !request.isEnded();
    if (request.response().ended()) {
      if (bodyPending) {
        unreadBodies.increment();
        watch.conn.close();
      } else if (watch.idleSinceNanos == 0) {
        watch.idleSinceNanos = now;
        watch.arm(settings.idleTimeout().toMillis(), false);
      } else {
        idleTimeouts.increment();
        watch.conn.close();
      }
      return;
    }
    if (!bodyPending) {
      watch.arm(
          CHECK_MS, true); // the function is running: no limit here (functionTimeout bounds it)
      return;
    }
    // The body may take bodyTimeout plus one second per minBodyBytesPerSecond bytes received so
    // far.
    long allowedNanos =
        settings.bodyTimeout().toNanos()
            + (long) (1e9 * request.bytesRead() / settings.minBodyBytesPerSecond());
    long elapsed = now - watch.startedNanos;
    if (elapsed >= allowedNanos) {
      bodyTimeouts.increment();
      watch.conn.close();
    } else {
      watch.arm(
          Math.min(CHECK_MS, TimeUnit.NANOSECONDS.toMillis(allowedNanos - elapsed) + 1), true);
    }
  }

  private void release(Watch watch) {
    if (watch.released) return;
    watch.released = true;
    watch.cancel();
    watches.remove(watch.conn);
    open.decrementAndGet();
    openByClient.computeIfPresent(watch.client, (k, n) -> n == 1 ? null : n - 1);
    if (watch.refusal != null) refusalsPending.decrementAndGet();
  }

  private void logRefusal(String refusal) {
    long last = lastRefusalLog.get();
    long now = System.nanoTime();
    if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
      LOG.warn(
          "refusing connections: {} (veil_http_connections_refused_total counts them; logged at most every 10 s)",
          refusal);
    }
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !length.equals("0"))
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  private static String clientOf(SocketAddress address) {
    if (address == null) return "unknown";
    String host = address.hostAddress();
    return host != null ? host : address.toString();
  }

  private static String firstLine(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static Counter closed(MeterRegistry registry, String reason) {
    return Counter.builder("veil_http_connections_closed_total")
        .tag("reason", reason)
        .description("HTTP connections the host closed for a client's slowness or idleness")
        .register(registry);
  }

  private static Counter refused(MeterRegistry registry, String limit) {
    return Counter.builder("veil_http_connections_refused_total")
        .tag("limit", limit)
        .description("HTTP connections refused for the host's or one client's connection limit")
        .register(registry);
  }

  /** One connection's state; touched only on its event loop. */
  private final class Watch {
    final HttpConnection conn;
    final String client;
    final String refusal;
    long timer = -1;

    /**
     * The armed timer is a check due within {@link #CHECK_MS} (not a header, idle or refusal
     * deadline).
     */
    boolean checking;

    HttpServerRequest request;
    boolean hasBody;
    long startedNanos;
    long idleSinceNanos;
    boolean released;

    Watch(HttpConnection conn, String client, String refusal) {
      this.conn = conn;
      this.client = client;
      this.refusal = refusal;
    }

    void arm(long delayMs, boolean isCheck) {
      cancel();
      if (released) return;
      checking = isCheck;
      timer =
          vertx.setTimer(
              Math.max(1, delayMs),
              id -> {
                timer = -1;
                checking = false;
                check(this);
              });
    }

    void cancel() {
      if (timer >= 0) vertx.cancelTimer(timer);
      timer = -1;
      checking = false;
    }
  }
}
