package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.mnist.MnistDigits;
import dev.veil.smpc.Mlp;
import dev.veil.smpc.Wire;
import dev.veil.testkit.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three roles over mutual TLS: every host serves HTTPS and requires a client certificate from
 * the roles' CA, and every role-to-role call presents the role's certificate. Predictions work; a
 * caller without a certificate, or with one from another CA, is refused at the handshake on every
 * role.
 */
class SmpcMutualTlsTest {
  @TempDir static Path dir;
  static SmpcHosts hosts;
  static TestPki.Issued ca;

  @BeforeAll
  static void start() {
    Path s0 = dir.resolve("shares0"), s1 = dir.resolve("shares1"), s2 = dir.resolve("masks");
    SmpcHosts.shareModels(dir, "mnist-mlp", "linear-1x1");
    ca = TestPki.authority("veil-smpc-roles");
    Map<String, Path[]> certificates = new java.util.HashMap<>();
    for (String role : List.of("provider", "party0", "party1")) {
      TestPki.Issued cert = TestPki.issue(ca, role, TestPki.KeyType.EC);
      certificates.put(
          role,
          new Path[] {
            cert.writeChain(dir.resolve(role + ".crt")),
            cert.writePkcs8Key(dir.resolve(role + ".key"))
          });
    }
    Path caFile = TestPki.write(dir.resolve("roles-ca.crt"), TestPki.pem(ca.certificate()));
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(TestPki.issue(ca, "client", TestPki.KeyType.EC).clientContext(ca))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    long t0 = System.nanoTime();
    hosts =
        new SmpcHosts(
            dir,
            s0,
            s1,
            s2,
            Duration.ofSeconds(20),
            List.of(),
            new SmpcHosts.Tls(caFile, certificates, client));
    System.out.println("hosts up after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  @AfterAll
  static void stop() {
    if (hosts != null) hosts.close();
  }

  @Test
  void predictionsRunOverMutualTlsAndCallersWithoutAValidCertificateAreRefused() throws Exception {
    HttpClient withCertificate =
        HttpClient.newBuilder()
            .sslContext(TestPki.issue(ca, "model-client", TestPki.KeyType.EC).clientContext(ca))
            .build();
    SmpcClient client =
        new SmpcClient(
            hosts.party0.base(),
            hosts.party1.base(),
            SmpcHosts.HOST_KEY,
            Duration.ofSeconds(60),
            withCertificate);
    assertTrue(hosts.party0.base().toString().startsWith("https://"));
    for (int i = 0; i < 6; i++) {
      assertEquals(
          0.5 * i + 0.25, client.predict("linear-1x1", new double[][] {{i}}).scores()[0][0], 1e-3);
    }
    MnistDigits digits = MnistDigits.testSplit();
    SmpcClient.Prediction p =
        client.predict("mnist-mlp", new double[][] {digits.images()[0]}, SmpcClient.Output.ARGMAX);
    assertEquals(Mlp.argmax(SmpcModels.mnist().scores(digits.images()[0])), p.labels()[0]);

    // the CLI with a client certificate
    TestPki.Issued cliCert = TestPki.issue(ca, "cli", TestPki.KeyType.RSA);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(),
        err = new java.io.ByteArrayOutputStream();
    int code =
        new SmpcCli()
            .run(
                List.of(
                    "predict",
                    "--model",
                    "linear-1x1",
                    "--features",
                    "2",
                    "--party0",
                    hosts.party0.base().toString(),
                    "--party1",
                    hosts.party1.base().toString(),
                    "--key",
                    SmpcHosts.HOST_KEY,
                    "--certificate",
                    cliCert.writeChain(dir.resolve("cli.crt")).toString(),
                    "--certificate-key",
                    cliCert.writeTraditionalKey(dir.resolve("cli.key")).toString(),
                    "--ca",
                    dir.resolve("roles-ca.crt").toString()),
                new java.io.PrintStream(out),
                new java.io.PrintStream(err));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("scores: [1.2500]"), out.toString());

    // no client certificate, or one from another CA: refused at the handshake by the parties and
    // the provider
    HttpClient noCertificate = HttpClient.newBuilder().sslContext(TestPki.trusting(ca)).build();
    TestPki.Issued foreignCa = TestPki.authority("someone-else");
    HttpClient foreign =
        HttpClient.newBuilder()
            .sslContext(TestPki.issue(foreignCa, "party1", TestPki.KeyType.EC).clientContext(ca))
            .build();
    byte[] words = Wire.toBytes(new long[] {1, 2});
    for (HttpClient refused : List.of(noCertificate, foreign)) {
      for (URI uri :
          List.of(
              hosts.party0.api("smpc/exchange/" + SessionKeys.newSession() + "/0"),
              hosts.party1.api("smpc/announce/" + SessionKeys.newSession()),
              hosts.provider.api("smpc/material/" + SessionKeys.newSession() + "/0"))) {
        HttpRequest request =
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(words))
                .build();
        long t0 = System.nanoTime();
        IOException e =
            assertThrows(
                IOException.class,
                () -> refused.send(request, HttpResponse.BodyHandlers.ofString()),
                uri.toString());
        System.out.println(
            "refused: " + e + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      }
    }
    // the same call with a certificate from the roles' CA reaches the function (which then checks
    // the message's tag)
    HttpResponse<String> reached =
        withCertificate.send(
            HttpRequest.newBuilder(
                    hosts.party0.api("smpc/exchange/" + SessionKeys.newSession() + "/0"))
                .header(HttpPeerChannel.FROM, "1")
                .header(HttpPeerChannel.MODEL, "v")
                .POST(HttpRequest.BodyPublishers.ofByteArray(words))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, reached.statusCode(), reached.body());
    assertTrue(reached.body().contains("authentication failed"), reached.body());
  }

  /**
   * The JS client (Node) against the same mTLS-only hosts, with node's test runner
   * (clients/js/e2e/smpc-mtls.test.js): with a client certificate its prediction equals the
   * plaintext model's; without one, or with one from another CA, it fails naming the TLS refusal.
   */
  @Test
  void theJsClientPresentsAClientCertificate() throws Exception {
    Path tls = java.nio.file.Files.createDirectories(dir.resolve("js-tls"));
    java.nio.file.Files.copy(dir.resolve("roles-ca.crt"), tls.resolve("ca.crt"));
    TestPki.Issued jsClient = TestPki.issue(ca, "js-client", TestPki.KeyType.EC);
    jsClient.writeChain(tls.resolve("client.crt"));
    jsClient.writePkcs8Key(tls.resolve("client.key"));
    TestPki.Issued foreign =
        TestPki.issue(TestPki.authority("not-the-roles-ca"), "js-client", TestPki.KeyType.EC);
    foreign.writeChain(tls.resolve("foreign.crt"));
    foreign.writePkcs8Key(tls.resolve("foreign.key"));
    double[] row = MnistDigits.testSplit().images()[3];
    Path testCase =
        TestPki.write(
            dir.resolve("js-case.json"),
            new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(
                    Map.of(
                        "model",
                        "mnist-mlp",
                        "row",
                        row,
                        "scores",
                        SmpcModels.mnist().scores(row))));
    ProcessBuilder pb =
        new ProcessBuilder(
                "node",
                "--test",
                Path.of("..", "clients", "js", "e2e", "smpc-mtls.test.js").toString())
            .redirectErrorStream(true);
    pb.environment()
        .putAll(
            Map.of(
                "VEIL_SMPC_PARTY0", hosts.party0.base().toString(),
                "VEIL_SMPC_PARTY1", hosts.party1.base().toString(),
                "VEIL_FUNCTION_KEY", SmpcHosts.HOST_KEY,
                "VEIL_SMPC_TLS_DIR", tls.toString(),
                "VEIL_SMPC_CASE", testCase.toString()));
    Process node = pb.start();
    String output =
        new String(node.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, node.waitFor(), output);
    assertTrue(output.contains("# pass 3") && output.contains("# fail 0"), output);
  }
}
