package dev.veil.triggers.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.VeilHost;
import dev.veil.runtime.host.auth.TokenCli;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client examples (clients/java, clients/js) against an HTTPS host that takes keys and tokens.
 */
class ClientExamplesTest {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  @TempDir static Path dir;
  static VeilHost host;
  static String token;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    Secure.serverFiles(dir, "Examples CA", true);
    JsonObject veil =
        new JsonObject()
            .put("tls", Secure.tlsFiles())
            .put(
                "auth",
                new JsonObject()
                    .put(
                        "jwt",
                        new JsonObject().put("audiences", new JsonArray().add("api://veil"))));
    host = Secure.startIn(dir, new JsonObject().put("veil", veil));
    url = "https://localhost:" + host.port();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(
        0,
        new TokenCli()
            .run(
                List.of(
                    "issue",
                    "--sub",
                    "example",
                    "--aud",
                    "api://veil",
                    "--ttl",
                    "10m",
                    "--data",
                    dir.resolve("data").toString()),
                new PrintStream(out, true),
                System.err));
    token = out.toString().strip();
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) Secure.await(host.close());
  }

  @Test
  void theJavaExampleCallsWithAKeyFromTheKeyApiAndWithAToken() throws Exception {
    TlsHostTest.Result r =
        TlsHostTest.run(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            REPO.resolve("clients/java/SecureClient.java").toString(),
            "--url",
            url,
            "--cacert",
            dir.resolve("ca.pem").toString(),
            "--function",
            "scores",
            "--master-key",
            host.keys().masterKey(),
            "--token",
            token);
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("key: 200 HTTP_2 scored"), r.output());
    assertTrue(r.output().contains("token: 200 HTTP_2 scored"), r.output());
    TlsHostTest.Result refused =
        TlsHostTest.run(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            REPO.resolve("clients/java/SecureClient.java").toString(),
            "--url",
            url,
            "--cacert",
            dir.resolve("ca.pem").toString(),
            "--function",
            "scores",
            "--token",
            token.substring(0, token.length() - 4) + "AAAA");
    assertTrue(
        refused.output().contains("token: 401") && refused.output().contains("invalid_token"),
        refused.output());
  }

  @Test
  void theJsExampleCallsWithAKeyFromTheKeyApiAndWithAToken() throws Exception {
    Path example = REPO.resolve("clients/js/examples/secure-call.js");
    TlsHostTest.Result r =
        TlsHostTest.run(
            "node",
            example.toString(),
            "--url",
            url,
            "--cacert",
            dir.resolve("ca.pem").toString(),
            "--function",
            "scores",
            "--master-key",
            host.keys().masterKey(),
            "--token",
            token);
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("key: 200 scored"), r.output());
    assertTrue(r.output().contains("token: 200 scored"), r.output());
    TlsHostTest.Result bare =
        TlsHostTest.run(
            "node",
            example.toString(),
            "--url",
            url,
            "--cacert",
            dir.resolve("ca.pem").toString(),
            "--function",
            "scores",
            "--key",
            host.keys().functionKey("scores"),
            "--key-header",
            "authorization");
    assertTrue(
        bare.output().contains("key: 200 scored"),
        "the Brainwave form, Authorization: <key>\n" + bare.output());
    TlsHostTest.Result untrusted =
        TlsHostTest.run(
            "node",
            example.toString(),
            "--url",
            url,
            "--function",
            "scores",
            "--key",
            host.keys().functionKey("scores"));
    assertTrue(
        untrusted.exit() != 0,
        "without the CA the certificate is not trusted\n" + untrusted.output());
  }
}
