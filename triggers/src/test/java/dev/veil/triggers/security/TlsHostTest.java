package dev.veil.triggers.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.TestPki;
import dev.veil.testkit.TestPki.Issued;
import dev.veil.testkit.TestPki.KeyType;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS hosts with certificates this test makes, called by the JDK client, curl and openssl
 * s_client.
 */
class TlsHostTest {
  @TempDir static Path dir;
  static Issued ca;
  static VeilHost host;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    ca = Secure.serverFiles(dir, "Veil Test CA", false);
    host =
        Secure.startIn(dir, Secure.tlsHostJson(Secure.tlsFiles().put("reloadCheckSeconds", 0.2)));
    client =
        HttpClient.newBuilder()
            .sslContext(TestPki.trusting(ca))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) Secure.await(host.close());
  }

  @Test
  void servesHttp2OverTlsToTheJdkClient() throws Exception {
    HttpResponse<String> response =
        client.send(get(host, "/api/open").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals("open", response.body());
    assertEquals(HttpClient.Version.HTTP_2, response.version());
    JsonObject status =
        new JsonObject(
            client
                .send(
                    get(host, "/admin/host/status")
                        .header("x-functions-key", host.keys().masterKey())
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    assertEquals("https", status.getJsonObject("listener").getString("scheme"), status.encode());
    assertEquals(
        io.vertx.core.net.OpenSSLEngineOptions.isAvailable() ? "openssl" : "jdk",
        status.getJsonObject("listener").getString("tlsEngine"),
        "auto picks OpenSSL where it loads");
  }

  @Test
  void curlSeesHttp2AndAVerifiedChain() throws Exception {
    Path caFile = ca.writeChain(dir.resolve("ca.pem"));
    Result ok =
        run(
            "curl",
            "-sS",
            "--cacert",
            caFile.toString(),
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{ssl_verify_result} %{http_code}",
            "https://localhost:" + host.port() + "/api/open");
    assertEquals("2 0 200", ok.output().strip(), ok.output());
    Result oldProtocol =
        run(
            "curl",
            "-sS",
            "--cacert",
            caFile.toString(),
            "--tlsv1.1",
            "--tls-max",
            "1.1",
            "https://localhost:" + host.port() + "/api/open");
    assertNotEquals(0, oldProtocol.exit(), "TLS 1.1 must be refused: " + oldProtocol.output());
    Result untrusted = run("curl", "-sS", "https://localhost:" + host.port() + "/api/open");
    assertNotEquals(
        0, untrusted.exit(), "a client that does not trust the test CA must fail verification");
  }

  @Test
  void opensslSeesTls13TheChainAndAlpnH2() throws Exception {
    Path caFile = ca.writeChain(dir.resolve("ca.pem"));
    Result r =
        run(
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + host.port(),
            "-servername",
            "localhost",
            "-alpn",
            "h2,http/1.1",
            "-CAfile",
            caFile.toString(),
            "-showcerts");
    assertTrue(r.output().contains("ALPN protocol: h2"), r.output());
    assertTrue(r.output().contains("TLSv1.3"), r.output());
    assertTrue(r.output().contains("Verify return code: 0 (ok)"), r.output());
    assertTrue(
        r.output().contains("CN = localhost") && r.output().contains("CN = Veil Test CA"),
        "chain: leaf and CA\n" + r.output());
    Result tls12 =
        run(
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + host.port(),
            "-tls1_2",
            "-CAfile",
            caFile.toString());
    assertTrue(
        tls12.output().contains("Protocol  : TLSv1.2") || tls12.output().contains("TLSv1.2"),
        tls12.output());
    Result tls11 =
        run(
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + host.port(),
            "-tls1_1",
            "-CAfile",
            caFile.toString());
    assertTrue(
        !tls11.output().contains("Verify return code: 0 (ok)") || tls11.exit() != 0,
        "TLS 1.1 must be refused\n" + tls11.output());
  }

  @Test
  void noPlainListenerUnlessAsked() throws Exception {
    assertEquals(-1, host.listeners().plainPort());
    HttpClient plain = HttpClient.newHttpClient();
    assertThrows(
        IOException.class,
        () ->
            plain.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/api/open"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void rsaWithAPkcs1KeyOnTheJdkEngineAndAPlainListenerBeside() throws Exception {
    Issued rsa = TestPki.issue(ca, "localhost", KeyType.RSA);
    rsa.writeChain(dir.resolve("rsa-chain.pem"));
    String key = TestPki.pem(rsa.keys().getPrivate());
    assertTrue(
        key.startsWith("-----BEGIN RSA PRIVATE KEY-----"), key.lines().findFirst().orElse(""));
    rsa.writeTraditionalKey(dir.resolve("rsa-key.pem"));
    VeilHost second =
        Secure.start(
            new HostOptions()
                .port(0)
                .dataDirectory(dir.resolve("data2"))
                .configDirectory(dir)
                .functionClass(SecureFunctions.class)
                .hostJson(
                    Secure.tlsHostJson(
                        tls("rsa-chain.pem", "rsa-key.pem")
                            .put("httpPort", 0)
                            .put("engine", "jdk"))));
    try {
      HttpResponse<String> overTls =
          client.send(get(second, "/api/open").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals("open", overTls.body());
      assertEquals(HttpClient.Version.HTTP_2, overTls.version(), "ALPN on the JDK engine too");
      assertEquals("jdk", second.listeners().describe().getString("tlsEngine"));
      assertEquals(rsa.certificate().getSerialNumber(), servedSerial(second.port()));
      HttpResponse<String> plain =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + second.listeners().plainPort() + "/api/open"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals("open", plain.body());
    } finally {
      Secure.await(second.close());
    }
  }

  @Test
  void startErrorsNameTheFileAndTheProblem() throws Exception {
    Issued other = TestPki.issue(ca, "localhost", KeyType.EC);
    other.writePkcs8Key(dir.resolve("other-key.pem"));
    Issued expired =
        TestPki.issue(
            ca,
            "localhost",
            KeyType.EC,
            Instant.now().minus(Duration.ofDays(10)),
            Instant.now().minus(Duration.ofDays(1)));
    expired.writeChain(dir.resolve("expired.pem"));
    expired.writePkcs8Key(dir.resolve("expired-key.pem"));
    TestPki.write(dir.resolve("garbage.pem"), "this is not a certificate\n");
    // OpenSSL's own traditional EC form (SEC1 with curve parameters and public key), as `openssl
    // ec` writes it
    Result sec1 =
        run(
            "openssl",
            "ec",
            "-in",
            dir.resolve("other-key.pem").toString(),
            "-out",
            dir.resolve("sec1-ec-key.pem").toString());
    assertEquals(0, sec1.exit(), sec1.output());
    assertTrue(
        java.nio.file.Files.readString(dir.resolve("sec1-ec-key.pem"))
            .startsWith("-----BEGIN EC PRIVATE KEY-----"));
    other.writeChain(dir.resolve("other-chain.pem"));
    assertEquals(
        other.certificate(),
        dev.veil.runtime.spi.tls.PemCredentials.load(
                dir.resolve("other-chain.pem"), dir.resolve("sec1-ec-key.pem"), null, Instant.now())
            .leaf(),
        "a SEC1 EC key loads");
    assertStartFails(tls("missing.pem", "key.pem"), "missing.pem", "does not exist");
    assertStartFails(tls("garbage.pem", "key.pem"), "garbage.pem", "is not PEM");
    assertStartFails(tls("chain.pem", "chain.pem"), "chain.pem", "holds no private key");
    assertStartFails(
        tls("chain.pem", "other-key.pem"), "other-key.pem", "does not match the certificate");
    assertStartFails(
        tls("chain.pem", "sec1-ec-key.pem"), "sec1-ec-key.pem", "does not match the certificate");
    assertStartFails(tls("expired.pem", "expired-key.pem"), "expired.pem", "expired on");
    assertStartFails(
        tls("chain.pem", "key.pem").put("clientCertificateAuthorities", "garbage.pem"),
        "garbage.pem",
        "is not PEM");
  }

  @Test
  void reloadsTheCertificateUnderLoadWithoutAFailedRequest() throws Exception {
    BigInteger before = servedSerial(host.port());
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      // half the loops keep their connection, half open a new one per request (new handshakes
      // during the swap)
      boolean fresh = c % 2 == 0;
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                HttpClient loopClient = client;
                for (int i = 0; i < 400 && (running.get() || i < 20); i++) {
                  try {
                    if (fresh)
                      loopClient = HttpClient.newBuilder().sslContext(TestPki.trusting(ca)).build();
                    HttpResponse<String> r =
                        loopClient.send(
                            get(host, "/api/open").build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) ok.incrementAndGet();
                    else failures.add("status " + r.statusCode());
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              }));
    }
    Thread.sleep(100);
    Issued next = TestPki.issue(ca, "localhost", KeyType.RSA);
    // key first, then chain: in between the watcher sees a pair that does not match and keeps the
    // old one
    next.writePkcs8Key(dir.resolve("key.pem"));
    next.writeChain(dir.resolve("chain.pem"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!servedSerial(host.port()).equals(next.certificate().getSerialNumber())
        && System.nanoTime() < deadline) Thread.sleep(50);
    running.set(false);
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(List.of(), failures);
    assertTrue(ok.get() >= 80, "requests made: " + ok.get());
    assertNotEquals(before, next.certificate().getSerialNumber());
    assertEquals(
        next.certificate().getSerialNumber(),
        servedSerial(host.port()),
        "the file watcher reloaded the new certificate");

    // the admin call: reloads now, or answers 400 naming the problem and keeps the certificate it
    // has
    Issued third = TestPki.issue(ca, "localhost", KeyType.EC);
    third.writeChain(dir.resolve("chain.pem"));
    HttpResponse<String> refused =
        client.send(
            get(host, "/admin/host/tls/reload")
                .header("x-functions-key", host.keys().masterKey())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("does not match"), refused.body());
    assertEquals(next.certificate().getSerialNumber(), servedSerial(host.port()));
    third.writePkcs8Key(dir.resolve("key.pem"));
    HttpResponse<String> reloaded =
        client.send(
            get(host, "/admin/host/tls/reload")
                .header("x-functions-key", host.keys().masterKey())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, reloaded.statusCode(), reloaded.body());
    assertEquals(
        third.certificate().getSerialNumber().toString(16),
        new JsonObject(reloaded.body()).getString("serialNumber"));
    assertEquals(third.certificate().getSerialNumber(), servedSerial(host.port()));
  }

  @Test
  void mutualTlsRefusesClientsWithoutACertificateFromTheCa() throws Exception {
    Issued server = TestPki.issue(ca, "localhost", KeyType.EC);
    server.writeChain(dir.resolve("m-chain.pem"));
    server.writePkcs8Key(dir.resolve("m-key.pem"));
    Path caFile = ca.writeChain(dir.resolve("client-ca.pem"));
    VeilHost mtls =
        Secure.start(
            new HostOptions()
                .port(0)
                .dataDirectory(dir.resolve("data3"))
                .configDirectory(dir)
                .functionClass(SecureFunctions.class)
                .hostJson(
                    Secure.tlsHostJson(
                        tls("m-chain.pem", "m-key.pem")
                            .put("clientCertificateAuthorities", "client-ca.pem"))));
    try {
      Issued clientCert = TestPki.issue(ca, "client-1", KeyType.EC);
      HttpClient withCert =
          HttpClient.newBuilder().sslContext(clientCert.clientContext(ca)).build();
      assertEquals(
          "open",
          withCert
              .send(get(mtls, "/api/open").build(), HttpResponse.BodyHandlers.ofString())
              .body());

      HttpClient without = HttpClient.newBuilder().sslContext(TestPki.trusting(ca)).build();
      assertThrows(
          IOException.class,
          () -> without.send(get(mtls, "/api/open").build(), HttpResponse.BodyHandlers.ofString()));

      Issued strangerCa = TestPki.authority("Stranger CA");
      Issued stranger = TestPki.issue(strangerCa, "client-2", KeyType.EC);
      HttpClient foreign = HttpClient.newBuilder().sslContext(stranger.clientContext(ca)).build();
      assertThrows(
          IOException.class,
          () -> foreign.send(get(mtls, "/api/open").build(), HttpResponse.BodyHandlers.ofString()));

      Result curl =
          run(
              "curl",
              "-sS",
              "--cacert",
              caFile.toString(),
              "https://localhost:" + mtls.port() + "/api/open");
      assertNotEquals(0, curl.exit(), "curl without a client certificate: " + curl.output());
      Path certFile = clientCert.writeChain(dir.resolve("client.pem"));
      Path keyFile = clientCert.writePkcs8Key(dir.resolve("client-key.pem"));
      Result curlWithCert =
          run(
              "curl",
              "-sS",
              "--cacert",
              caFile.toString(),
              "--cert",
              certFile.toString(),
              "--key",
              keyFile.toString(),
              "https://localhost:" + mtls.port() + "/api/open");
      assertEquals("open", curlWithCert.output(), curlWithCert.output());
    } finally {
      Secure.await(mtls.close());
    }
  }

  private static void assertStartFails(JsonObject tls, String file, String problem) {
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                Secure.start(
                    new HostOptions()
                        .port(0)
                        .dataDirectory(dir.resolve("data-bad"))
                        .configDirectory(dir)
                        .functionClass(SecureFunctions.class)
                        .hostJson(Secure.tlsHostJson(tls))));
    String message = String.valueOf((e.getCause() != null ? e.getCause() : e).getMessage());
    assertTrue(
        message.contains(file) && message.contains(problem),
        "expected '" + file + "' and '" + problem + "' in: " + message);
  }

  private static JsonObject tls(String certificate, String key) {
    return new JsonObject().put("certificate", certificate).put("key", key);
  }

  static HttpRequest.Builder get(VeilHost host, String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + host.port() + path))
        .timeout(Duration.ofSeconds(30));
  }

  /** The serial number of the certificate a fresh handshake gets. */
  private static BigInteger servedSerial(int port) throws Exception {
    SSLContext context = TestPki.trusting(ca);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  record Result(int exit, String output) {}

  static Result run(String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
    return new Result(p.exitValue(), out);
  }
}
