package dev.veil.runtime.host.tls;

import dev.veil.runtime.spi.tls.PemCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's HTTP listeners: plain HTTP, or (with {@link TlsSettings}) HTTPS with TLS 1.2/1.3 and
 * HTTP/2 by ALPN plus an optional plain listener. The certificate and key are reloaded without a
 * restart when their files change or on {@link #reload()}: new connections get the new certificate,
 * open ones keep theirs.
 */
public final class HostListeners {
  private static final Logger LOG = LoggerFactory.getLogger(HostListeners.class);
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final TlsSettings tls;
  private volatile PemCredentials credentials;
  private Vertx vertx;
  private HttpServerOptions tlsOptions;
  private HttpServer main;
  private HttpServer plain;
  private long watchTimer = -1;
  private List<Object> lastStamp;
  private List<Object> lastRefusedStamp;

  private HostListeners(TlsSettings tls, PemCredentials credentials) {
    this.tls = tls;
    this.credentials = credentials;
  }

  /**
   * Reads and checks the certificate files (blocking); {@code tls} may be {@code null} for plain
   * HTTP.
   */
  public static HostListeners prepare(TlsSettings tls) {
    return new HostListeners(tls, tls == null ? null : tls.loadCredentials());
  }

  public boolean secure() {
    return tls != null;
  }

  /**
   * Starts the listener(s) on the options the caller chose (timeouts, limits), each server made by
   * {@code servers} (which puts the edge and the request handler on it); the first future's server
   * is the main one (HTTPS when TLS is configured).
   */
  public Future<HttpServer> listen(
      Vertx vertx,
      HttpServerOptions base,
      Function<HttpServerOptions, HttpServer> servers,
      int port,
      String host) {
    this.vertx = vertx;
    if (tls == null) {
      return servers.apply(base).listen(port, host).map(s -> main = s);
    }
    lastStamp = stamp();
    tlsOptions =
        new HttpServerOptions(base)
            .setSsl(true)
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setEnabledSecureTransportProtocols(PROTOCOLS)
            .setSslEngineOptions(engine(tls.engine()));
    applyCredentials(tlsOptions.getSslOptions(), credentials);
    Future<HttpServer> started = servers.apply(tlsOptions).listen(port, host).map(s -> main = s);
    if (tls.plainHttpPort() != null) {
      started =
          started.compose(
              s ->
                  servers
                      .apply(base)
                      .listen(tls.plainHttpPort(), host)
                      .map(
                          p -> {
                            plain = p;
                            return s;
                          }));
    }
    return started.onSuccess(
        s -> {
          if (!tls.reloadCheckInterval().isZero())
            watchTimer =
                vertx.setPeriodic(tls.reloadCheckInterval().toMillis(), id -> checkFiles());
        });
  }

  /** The main listener's port. */
  public int port() {
    return main.actualPort();
  }

  /** The plain-HTTP listener's port beside HTTPS, or -1 when there is none. */
  public int plainPort() {
    return plain != null ? plain.actualPort() : -1;
  }

  /** What the listeners serve, for the status endpoint. */
  public JsonObject describe() {
    JsonObject out = new JsonObject().put("scheme", secure() ? "https" : "http");
    if (secure()) {
      PemCredentials c = credentials;
      out.put(
              "tlsEngine",
              tlsOptions != null && tlsOptions.getSslEngineOptions() instanceof OpenSSLEngineOptions
                  ? "openssl"
                  : "jdk")
          .put("certificate", certificate(c))
          .put("clientCertificates", c.clientAuthorities() != null ? "required" : "none")
          .put("plainHttpPort", plain != null ? plain.actualPort() : null);
    }
    return out;
  }

  /**
   * Reads the certificate files again and hands them to the HTTPS listener; fails naming the file
   * and the problem (the listener then keeps the certificate it has).
   */
  public Future<JsonObject> reload() {
    if (tls == null || main == null)
      return Future.failedFuture(new IllegalStateException("this host does not serve TLS"));
    return vertx
        .executeBlocking(
            () -> {
              List<Object> stamp =
                  stamp(); // before reading: a change while reading is noticed on the next check
              return new Loaded(tls.loadCredentials(), stamp);
            },
            false)
        .compose(
            loaded -> {
              ServerSSLOptions ssl = new ServerSSLOptions(tlsOptions.getSslOptions());
              applyCredentials(ssl, loaded.credentials());
              return main.updateSSLOptions(ssl, true)
                  .map(
                      updated -> {
                        credentials = loaded.credentials();
                        lastStamp = loaded.stamp();
                        LOG.info(
                            "TLS certificate reloaded: {}",
                            certificate(loaded.credentials()).encode());
                        return certificate(loaded.credentials());
                      });
            });
  }

  public Future<Void> close() {
    if (vertx != null && watchTimer >= 0) vertx.cancelTimer(watchTimer);
    List<Future<Void>> closes = new ArrayList<>();
    if (plain != null) closes.add(plain.close());
    if (main != null) closes.add(main.close());
    return Future.join(closes).mapEmpty();
  }

  private void checkFiles() {
    vertx
        .executeBlocking(this::stamp, false)
        .onSuccess(
            stamp -> {
              if (stamp.equals(lastStamp) || stamp.equals(lastRefusedStamp)) return;
              reload()
                  .onFailure(
                      err -> {
                        // Replacing two files is not atomic: a new certificate beside the old key
                        // is refused until the key arrives too.
                        lastRefusedStamp = stamp;
                        LOG.warn(
                            "TLS files changed but were not loaded (the listener keeps its certificate): {}",
                            err.getMessage());
                      });
            });
  }

  /** Modification times and sizes of the watched files, to notice a replacement. */
  private List<Object> stamp() {
    List<Object> stamp = new ArrayList<>();
    for (Path file :
        new Path[] {tls.certificate(), tls.key(), tls.clientCertificateAuthorities()}) {
      if (file == null) continue;
      try {
        stamp.add(Files.getLastModifiedTime(file).toMillis());
        stamp.add(Files.size(file));
      } catch (Exception e) {
        stamp.add(null);
      }
    }
    return stamp;
  }

  private record Loaded(PemCredentials credentials, List<Object> stamp) {}

  private static void applyCredentials(ServerSSLOptions ssl, PemCredentials c) {
    ssl.setKeyCertOptions(new PemKeyCertOptions().setCertValue(c.chain()).setKeyValue(c.key()));
    if (c.clientAuthorities() != null) {
      ssl.setTrustOptions(new PemTrustOptions().addCertValue(c.clientAuthorities()))
          .setClientAuth(ClientAuth.REQUIRED);
    }
  }

  private static SSLEngineOptions engine(TlsSettings.Engine engine) {
    boolean openssl = OpenSSLEngineOptions.isAvailable() && OpenSSLEngineOptions.isAlpnAvailable();
    return switch (engine) {
      case JDK -> new JdkSSLEngineOptions();
      case OPENSSL -> {
        if (!openssl)
          throw new IllegalStateException(
              "veil.tls.engine is openssl, but netty-tcnative (BoringSSL) with ALPN does not load on this platform");
        yield new OpenSSLEngineOptions();
      }
      case AUTO -> openssl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    };
  }

  private static JsonObject certificate(PemCredentials c) {
    return new JsonObject()
        .put("subject", c.leaf().getSubjectX500Principal().getName())
        .put("issuer", c.leaf().getIssuerX500Principal().getName())
        .put("serialNumber", c.leaf().getSerialNumber().toString(16))
        .put("notAfter", c.leaf().getNotAfter().toInstant().toString());
  }
}
