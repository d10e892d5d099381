package dev.veil.inference;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.spi.HostExtension;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.TriggerContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the Open Inference Protocol (KServe v2) on a Veil host: the REST API under {@code /v2} on
 * the host's router, the gRPC service on the host's listener when it is HTTPS (HTTP/2 by ALPN), or
 * on its own cleartext HTTP/2 port ({@code grpcPort}) when the host is plain HTTP. Configured in
 * host.json:
 *
 * <pre>
 * {"veil": {"inferenceProtocol": {"enabled": true, "authLevel": "function", "grpcPort": 8001,
 *                                 "grpcHost": "127.0.0.1", "maxRequestBytes": 67108864,
 *                                 "modelRepository": "/models"}}}
 * </pre>
 */
public final class InferenceProtocolExtension implements HostExtension {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceProtocolExtension.class);
  // The cleartext gRPC port is kept in the host's own Vert.x (its local shared data), not in a
  // process-wide map: several hosts in one JVM (tests) each see their own.
  private static final String LOCAL_MAP = "veil.inferenceProtocol";
  private static final String GRPC_PORT = "grpcPort";

  private volatile boolean serving;
  private Vertx vertx;
  private HttpServer grpcListener;

  /** The cleartext gRPC port of the host running on {@code vertx}, or -1 (for tests and tools). */
  public static int grpcPort(Vertx vertx) {
    return vertx.sharedData().<String, Integer>getLocalMap(LOCAL_MAP).getOrDefault(GRPC_PORT, -1);
  }

  @Override
  public Future<Void> start(TriggerContext host, HostScope scope, boolean servesTls) {
    Object veil = host.hostConfig().json().getValue("veil");
    Object section = veil instanceof JsonObject v ? v.getValue("inferenceProtocol") : null;
    if (section != null && !(section instanceof JsonObject)) {
      return Future.failedFuture(
          new IllegalArgumentException("host.json: 'veil.inferenceProtocol' must be an object"));
    }
    JsonObject config = section == null ? new JsonObject() : (JsonObject) section;
    if (!config.getBoolean("enabled", true)) return Future.succeededFuture();
    AuthorizationLevel level;
    long maxBytes;
    int grpcPort;
    String grpcHost;
    String modelRepository;
    try {
      modelRepository = config.getString("modelRepository");
      level =
          AuthorizationLevel.valueOf(
              config.getString("authLevel", "function").toUpperCase(Locale.ROOT));
      maxBytes = config.getLong("maxRequestBytes", 64L * 1024 * 1024);
      grpcPort = config.getInteger("grpcPort", -1);
      grpcHost = config.getString("grpcHost", "127.0.0.1");
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalArgumentException("host.json veil.inferenceProtocol: " + e.getMessage(), e));
    }
    vertx = host.vertx();
    String version = InferenceProtocolExtension.class.getPackage().getImplementationVersion();
    JsonObject metadata =
        new JsonObject()
            .put("name", "veil")
            .put("version", version != null ? version : "dev")
            .put("extensions", new JsonArray().add("binary_tensor_data").add("model_repository"));
    // The bundled models read their weights from the class path: off the event loop. The host
    // starts extensions beside its listener and reports ready once this has mounted its routes.
    return vertx
        .executeBlocking(
            () ->
                ModelRepository.discover(
                    scope,
                    modelRepository == null
                        ? Map.of()
                        : ModelConfig.readRepository(Path.of(modelRepository))),
            false)
        .compose(
            models -> {
              new RestApi(vertx, models, host.keys(), level, () -> serving, metadata)
                  .mount(host.router(), maxBytes);
              GrpcApi grpc =
                  new GrpcApi(vertx, models, host.keys(), level, () -> serving, metadata, maxBytes);
              for (String method : GrpcApi.METHODS) {
                host.serveExactPath(
                    "/" + GrpcApi.SERVICE.pathOf(method).replaceFirst("^/", ""),
                    Set.of(HttpMethod.POST),
                    grpc.server());
              }
              // Where requests pass the router (a clustered host), the router may have paused the
              // request: resume it.
              host.router()
                  .post("/" + GrpcApi.SERVICE.fullyQualifiedName() + "/*")
                  .handler(
                      ctx -> {
                        grpc.server().handle(ctx.request());
                        ctx.request().resume();
                      });
              serving = true;
              if (grpcPort < 0) return Future.<Void>succeededFuture();
              if (servesTls) {
                LOG.warn(
                    "veil.inferenceProtocol.grpcPort is ignored: this host serves TLS, and gRPC with it on its HTTPS port");
                return Future.<Void>succeededFuture();
              }
              return vertx
                  .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
                  .requestHandler(grpc.server())
                  .listen(grpcPort, grpcHost)
                  .map(
                      s -> {
                        grpcListener = s;
                        vertx
                            .sharedData()
                            .<String, Integer>getLocalMap(LOCAL_MAP)
                            .put(GRPC_PORT, s.actualPort());
                        LOG.info(
                            "Open Inference Protocol gRPC (cleartext HTTP/2) on port {}",
                            s.actualPort());
                        return (Void) null;
                      });
            });
  }

  @Override
  public Future<Void> stop() {
    serving = false;
    if (vertx != null) vertx.sharedData().getLocalMap(LOCAL_MAP).remove(GRPC_PORT);
    return grpcListener != null ? grpcListener.close() : Future.succeededFuture();
  }
}
