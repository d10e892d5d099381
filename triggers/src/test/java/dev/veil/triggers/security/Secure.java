package dev.veil.triggers.security;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/** Starting hosts for the security tests. */
final class Secure {
  private Secure() {}

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static VeilHost start(HostOptions options) throws Exception {
    return await(VeilHost.start(options));
  }

  /** {@code {"veil": {"tls": tls}}} */
  static JsonObject tlsHostJson(JsonObject tls) {
    return new JsonObject().put("veil", new JsonObject().put("tls", tls));
  }
}
