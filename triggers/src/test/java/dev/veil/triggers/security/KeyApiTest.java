package dev.veil.triggers.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.VeilHost;
import dev.veil.testkit.TestPki;
import dev.veil.testkit.TestPki.Issued;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Azure-shaped key management API and the three ways to present a key, over HTTPS. */
class KeyApiTest {
  @TempDir static Path dir;
  static VeilHost host;
  static HttpClient client;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    Issued ca = Secure.serverFiles(dir, "Keys CA", false);
    host = Secure.startIn(dir, Secure.tlsHostJson(Secure.tlsFiles()));
    client =
        HttpClient.newBuilder()
            .sslContext(TestPki.trusting(ca))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    base = "https://localhost:" + host.port();
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) Secure.await(host.close());
  }

  @Test
  void listsGetsPutsGeneratesAndDeletesFunctionKeysAsAzureDoes() throws Exception {
    HttpResponse<String> list = admin("GET", "/admin/functions/scores/keys", null);
    assertEquals(200, list.statusCode(), list.body());
    JsonObject listed = new JsonObject(list.body());
    assertEquals(host.keys().functionKey("scores"), value(listed.getJsonArray("keys"), "default"));
    assertEquals(
        base + "/admin/functions/scores/keys",
        listed.getJsonArray("links").getJsonObject(0).getString("href"));

    HttpResponse<String> put =
        admin(
            "PUT",
            "/admin/functions/scores/keys/primary",
            new JsonObject()
                .put("name", "primary")
                .put("value", "primary-0123456789abcdef")
                .encode());
    assertEquals(201, put.statusCode(), put.body());
    assertEquals("primary-0123456789abcdef", new JsonObject(put.body()).getString("value"));
    assertEquals(
        base + "/admin/functions/scores/keys/primary",
        new JsonObject(put.body()).getJsonArray("links").getJsonObject(0).getString("href"));
    assertEquals(
        200,
        admin(
                "PUT",
                "/admin/functions/scores/keys/primary",
                new JsonObject().put("value", "primary-replaced-0123456789").encode())
            .statusCode());

    HttpResponse<String> generated = admin("POST", "/admin/functions/scores/keys/secondary", null);
    assertEquals(201, generated.statusCode(), generated.body());
    String secondary = new JsonObject(generated.body()).getString("value");
    assertTrue(secondary.length() >= 40);
    assertEquals(
        secondary,
        new JsonObject(admin("GET", "/admin/functions/scores/keys/secondary", null).body())
            .getString("value"));
    assertEquals(200, call("/api/scores", "x-functions-key", secondary).statusCode());

    assertEquals(204, admin("DELETE", "/admin/functions/scores/keys/secondary", null).statusCode());
    assertEquals(404, admin("DELETE", "/admin/functions/scores/keys/secondary", null).statusCode());
    assertEquals(404, admin("GET", "/admin/functions/scores/keys/secondary", null).statusCode());
    assertEquals(
        401,
        call("/api/scores", "x-functions-key", secondary).statusCode(),
        "a deleted key stops working");
    assertEquals(404, admin("GET", "/admin/functions/nosuch/keys", null).statusCode());

    assertEquals(
        400, admin("PUT", "/admin/functions/scores/keys/primary", "{\"value\": 3}").statusCode());
    assertEquals(
        400, admin("PUT", "/admin/functions/scores/keys/primary", "not json").statusCode());
    assertEquals(
        400,
        admin("PUT", "/admin/functions/scores/keys/primary", "{\"value\": \"short\"}")
            .statusCode());
    assertEquals(
        400,
        admin(
                "PUT",
                "/admin/functions/scores/keys/primary",
                new JsonObject()
                    .put("name", "other")
                    .put("value", "primary-0123456789abcdef")
                    .encode())
            .statusCode());
    assertEquals(
        400,
        admin(
                "PUT",
                "/admin/functions/scores/keys/primary",
                "{\"value\": \"" + "x".repeat(5000) + "\"}")
            .statusCode(),
        "bodies are bounded");

    JsonObject file = new JsonObject(Files.readString(dir.resolve("data/keys.json")));
    assertEquals(
        "primary-replaced-0123456789",
        file.getJsonObject("functionKeys").getJsonObject("scores").getString("primary"));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("data/keys.json"))));
  }

  @Test
  void hostKeysAndTheMasterKey() throws Exception {
    HttpResponse<String> unauthorized =
        call("/admin/host/keys", "x-functions-key", host.keys().hostKey());
    assertEquals(401, unauthorized.statusCode(), "only the master key manages keys");
    JsonArray keys =
        new JsonObject(admin("GET", "/admin/host/keys", null).body()).getJsonArray("keys");
    assertEquals(host.keys().hostKey(), value(keys, "default"));
    assertEquals(host.keys().masterKey(), value(keys, "_master"));

    assertEquals(
        201,
        admin(
                "PUT",
                "/admin/host/keys/ci",
                new JsonObject().put("value", "ci-host-key-0123456789").encode())
            .statusCode());
    assertEquals(
        200, call("/api/scores", "x-functions-key", "ci-host-key-0123456789").statusCode());
    assertEquals(200, call("/api/other", "x-functions-key", "ci-host-key-0123456789").statusCode());
    assertEquals(
        401, call("/api/operate", "x-functions-key", "ci-host-key-0123456789").statusCode());
    assertEquals(400, admin("DELETE", "/admin/host/keys/_master", null).statusCode());

    String oldMaster = host.keys().masterKey();
    HttpResponse<String> rotated = admin("POST", "/admin/host/keys/_master", null);
    assertEquals(200, rotated.statusCode(), rotated.body());
    String newMaster = new JsonObject(rotated.body()).getString("value");
    assertNotEquals(oldMaster, newMaster);
    assertEquals(401, call("/admin/host/status", "x-functions-key", oldMaster).statusCode());
    assertEquals(200, call("/admin/host/status", "x-functions-key", newMaster).statusCode());
  }

  @Test
  void aKeyIsAcceptedFromTheHeaderTheQueryAndAPlainAuthorizationHeader() throws Exception {
    String key = host.keys().functionKey("other");
    assertEquals(200, call("/api/other", "x-functions-key", key).statusCode());
    assertEquals(200, call("/api/other?code=" + key, null, null).statusCode());
    assertEquals(200, call("/api/other", "Authorization", key).statusCode());
    assertEquals(
        401,
        call("/api/other", "Authorization", "Bearer " + key).statusCode(),
        "a Bearer value is a token, not a key");
    assertEquals(401, call("/api/other", null, null).statusCode());
    assertEquals(
        401, call("/api/other", "x-functions-key", host.keys().functionKey("scores")).statusCode());
  }

  @Test
  void rotatingThePrimaryWhileAClientUsesTheSecondaryFailsNoRequest() throws Exception {
    assertEquals(
        201,
        admin(
                "PUT",
                "/admin/functions/other/keys/primary",
                new JsonObject().put("value", "rotate-primary-0123456789").encode())
            .statusCode());
    String secondary =
        new JsonObject(admin("POST", "/admin/functions/other/keys/secondary", null).body())
            .getString("value");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> loop =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; i < 2000 && (running.get() || i < 50); i++) {
                try {
                  HttpResponse<String> r = call("/api/other", "x-functions-key", secondary);
                  if (r.statusCode() == 200) ok.incrementAndGet();
                  else failures.add(r.statusCode() + " " + r.body());
                } catch (Exception e) {
                  failures.add(e.toString());
                }
              }
            });
    HttpResponse<String> rotated = admin("POST", "/admin/functions/other/keys/primary", null);
    assertEquals(200, rotated.statusCode());
    assertEquals(
        401,
        call("/api/other", "x-functions-key", "rotate-primary-0123456789").statusCode(),
        "the old primary is refused at once");
    assertEquals(
        200,
        call("/api/other", "x-functions-key", new JsonObject(rotated.body()).getString("value"))
            .statusCode());
    running.set(false);
    loop.get(60, TimeUnit.SECONDS);
    assertEquals(List.of(), failures);
    assertTrue(ok.get() >= 50);
  }

  @Test
  void keyValuesNeverReachTheLog() throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level level = root.getLevel();
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> captured =
        new ch.qos.logback.core.read.ListAppender<>();
    captured.start();
    root.addAppender(captured);
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      String put = "logged-never-0123456789abcdef";
      assertEquals(
          201,
          admin(
                  "PUT",
                  "/admin/functions/other/keys/audit",
                  new JsonObject().put("value", put).encode())
              .statusCode());
      String generated =
          new JsonObject(admin("POST", "/admin/functions/other/keys/audit", null).body())
              .getString("value");
      assertEquals(200, call("/api/other", "x-functions-key", generated).statusCode());
      assertEquals(401, call("/api/other", "x-functions-key", put).statusCode());
      assertEquals(204, admin("DELETE", "/admin/functions/other/keys/audit", null).statusCode());
      assertTrue(captured.list.size() > 0, "the host logged something while keys changed");
      for (ch.qos.logback.classic.spi.ILoggingEvent event : captured.list) {
        String line =
            event.getFormattedMessage()
                + (event.getThrowableProxy() != null ? event.getThrowableProxy().getMessage() : "");
        for (String secret : List.of(put, generated, host.keys().masterKey())) {
          assertTrue(!line.contains(secret), "a key reached the log: " + event.getLoggerName());
        }
      }
    } finally {
      root.detachAppender(captured);
      root.setLevel(level);
    }
  }

  @Test
  void theKeysCommandUsesTheSameApi() throws Exception {
    Cli set = cli("set", "cli-key", "cli-key-value-0123456789");
    assertEquals(0, set.exit(), set.err());
    assertEquals(
        200, call("/api/scores", "x-functions-key", "cli-key-value-0123456789").statusCode());
    Cli rotate = cli("rotate", "cli-key");
    assertEquals(0, rotate.exit(), rotate.err());
    String rotated = rotate.out().strip().split("\t")[1];
    assertEquals(
        401, call("/api/scores", "x-functions-key", "cli-key-value-0123456789").statusCode());
    assertEquals(200, call("/api/scores", "x-functions-key", rotated).statusCode());
    Cli list = cli("list");
    assertTrue(list.out().contains("cli-key\t" + rotated), list.out());
    assertTrue(list.out().contains("default\t" + host.keys().functionKey("scores")), list.out());
    assertEquals(0, cli("delete", "cli-key").exit());
    assertEquals(401, call("/api/scores", "x-functions-key", rotated).statusCode());
    assertEquals(1, cli("delete", "cli-key").exit(), "deleting a missing key fails");
    assertEquals(
        2,
        new dev.veil.runtime.host.auth.KeysCli()
            .run(
                List.of("shred", "x"),
                System.out,
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
  }

  record Cli(int exit, String out, String err) {}

  private static Cli cli(String... action) {
    List<String> args = new ArrayList<>(List.of(action));
    args.addAll(
        List.of(
            "--function",
            "scores",
            "--url",
            base,
            "--cacert",
            dir.resolve("ca.pem").toString(),
            "--data",
            dir.resolve("data").toString()));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int exit =
        new dev.veil.runtime.host.auth.KeysCli()
            .run(args, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
    return new Cli(exit, out.toString(), err.toString());
  }

  private static String value(JsonArray keys, String name) {
    for (Object o : keys)
      if (((JsonObject) o).getString("name").equals(name))
        return ((JsonObject) o).getString("value");
    return null;
  }

  static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("x-functions-key", host.keys().masterKey())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> call(String path, String header, String value) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (header != null) request.header(header, value);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
