package dev.veil.triggers.security;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.TestPki;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
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

  /**
   * A new CA ({@code ca.pem}) and a localhost server certificate signed by it ({@code chain.pem},
   * {@code key.pem}: PKCS#8, or OpenSSL's traditional SEC1 form) in {@code dir}; returns the CA.
   */
  static TestPki.Issued serverFiles(Path dir, String caName, boolean traditionalKey) {
    TestPki.Issued ca = TestPki.authority(caName);
    ca.writeChain(dir.resolve("ca.pem"));
    TestPki.Issued server = TestPki.issue(ca, "localhost", TestPki.KeyType.EC);
    server.writeChain(dir.resolve("chain.pem"));
    if (traditionalKey) server.writeTraditionalKey(dir.resolve("key.pem"));
    else server.writePkcs8Key(dir.resolve("key.pem"));
    return ca;
  }

  /** host.json {@code veil.tls} naming the files {@link #serverFiles} wrote. */
  static JsonObject tlsFiles() {
    return new JsonObject().put("certificate", "chain.pem").put("key", "key.pem");
  }

  /** A host serving {@link SecureFunctions} with its configuration and data in {@code dir}. */
  static VeilHost startIn(Path dir, JsonObject hostJson) throws Exception {
    return start(
        new HostOptions()
            .port(0)
            .dataDirectory(dir.resolve("data"))
            .configDirectory(dir)
            .functionClass(SecureFunctions.class)
            .hostJson(hostJson));
  }

  /** {@code {"veil": {"tls": tls}}} */
  static JsonObject tlsHostJson(JsonObject tls) {
    return new JsonObject().put("veil", new JsonObject().put("tls", tls));
  }
}
