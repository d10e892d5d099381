package dev.veil.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.encrypted.EncryptedMnistFunction;
import dev.veil.functions.encrypted.KeyUploadFunctions;
import dev.veil.functions.image.ImageFunctions;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.KafkaBroker;
import dev.veil.testkit.KafkaRecords;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against one real host with real traffic (answers, failures, a 400, a function and a
 * log line with markup, the accelerator pool's digit model, a batch run, an encrypted MNIST call
 * made by the demo page in the same browser, a Kafka consumer group held back with records waiting,
 * a long batch run cancelled from the page): in headless Chromium
 * (src/test/browser/dashboard-check.mjs: every page with its data and charts, keyboard, sign-in,
 * sign-out, expiry, CSRF, no console errors, nothing leaving 127.0.0.1; screenshots in
 * target/screenshots), and over plain HTTP for the session and CSRF rules.
 */
class DashboardBrowserTest {
  private static final int SESSION_SECONDS = 30;
  private static final Path CHECK = Path.of("src", "test", "browser", "dashboard-check.mjs");
  private static final String LAG_TOPIC = "dashboard-lag-" + UUID.randomUUID();
  private static final int LAG_PARTITIONS = HeldKafkaFunctions.PARTITIONS;
  private static final int LONG_RUN_ROWS = 20000;

  @TempDir static Path dir;
  private static VeilHost host;

  @BeforeAll
  static void start() throws Exception {
    // Records for the held Kafka function, more than one poll takes (500): some wait, as lag.
    KafkaBroker.createTopic(LAG_TOPIC, LAG_PARTITIONS);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 4000; i++)
      records.add(new ProducerRecord<>(LAG_TOPIC, i % LAG_PARTITIONS, "k" + i, "v" + i));
    KafkaRecords.send(records);
    host =
        DashboardHost.start(
            dir,
            new JsonObject().put("sessionSeconds", SESSION_SECONDS).put("sampleSeconds", 1),
            Map.of(
                KeyStoreSettings.DIR,
                dir.resolve("keys").toString(),
                "KafkaBrokers",
                KafkaBroker.bootstrap(),
                "LagTopic",
                LAG_TOPIC),
            ImageFunctions.class,
            EncryptedMnistFunction.class,
            KeyUploadFunctions.class,
            HeldKafkaFunctions.class);
    DashboardHost.batchInput(dir, "dash/a.csv", 40);
    // a run of many one-row mini-batches, started by the browser check and cancelled there
    DashboardHost.batchInput(dir, "long/a.csv", LONG_RUN_ROWS);
    HttpResponse<String> run =
        DashboardHost.send(
            host,
            "POST",
            "/api/batch/runs",
            batchRun("dash/", 10),
            "x-functions-key",
            host.keys().masterKey());
    assertEquals(202, run.statusCode(), run.body());
    byte[] zero = zeroPng();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> digit =
          DashboardHost.HTTP.send(
              HttpRequest.newBuilder(URI.create(DashboardHost.url(host) + "/api/classify-digit"))
                  .header("x-functions-key", host.keys().masterKey())
                  .header("content-type", "image/png")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(zero))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, digit.statusCode(), digit.body());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    HeldKafkaFunctions.RELEASE.countDown();
    DashboardHost.stop(host);
  }

  @Test
  void everyPageInHeadlessChromium() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    Thread traffic = new Thread(() -> traffic(running), "dashboard-test-traffic");
    traffic.start();
    try {
      Path shots = Path.of("target", "screenshots").toAbsolutePath();
      ProcessBuilder pb =
          new ProcessBuilder(
                  "node",
                  CHECK.toString(),
                  "--url",
                  DashboardHost.url(host),
                  // "=" form: a generated key may start with "-", which node's parseArgs would
                  // refuse
                  "--key=" + host.keys().masterKey(),
                  "--functions",
                  "echo,fails,rejects,classify-digit,batchRuns",
                  "--xss-name",
                  TrafficFunctions.XSS_NAME,
                  "--xss-problem",
                  TrafficFunctions.XSS_PROBLEM,
                  "--shots",
                  shots.toString(),
                  "--session-seconds",
                  String.valueOf(SESSION_SECONDS),
                  "--host-key=" + host.keys().hostKey(),
                  "--lag-group",
                  HeldKafkaFunctions.GROUP,
                  "--lag-partitions",
                  String.valueOf(LAG_PARTITIONS),
                  "--long-run",
                  batchRun("long/", 1))
              .redirectErrorStream(true);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(3, TimeUnit.MINUTES));
      assertEquals(0, p.exitValue(), "dashboard check failed:\n" + out);
      String[] lines = out.strip().split("\n");
      JsonObject findings = new JsonObject(lines[lines.length - 1]);
      assertTrue(findings.getString("userAgent").contains("HeadlessChrome"), out);
      System.out.println(
          "dashboard in " + findings.getString("userAgent") + ": " + findings.encode());
      for (String page :
          List.of("functions", "log", "keys", "cluster", "pool", "triggers", "batch", "demo"))
        assertTrue(shots.resolve(page + ".png").toFile().length() > 0, page + ".png");

      // The key cache page after the demo page's encrypted call: an entry, bytes under the bound.
      JsonObject keys = findings.getJsonObject("keys");
      assertTrue(keys.getInteger("entries") >= 1, keys.encode());
      assertEquals(keys.getInteger("entries"), keys.getInteger("chartEntries"), keys.encode());
      assertTrue(keys.getLong("meterValue") > 0, keys.encode());
      assertTrue(keys.getLong("meterValue") <= keys.getLong("meterMax"), keys.encode());
      assertTrue(keys.getInteger("downloads") >= 1, keys.encode());
      assertTrue(keys.getString("bytes").contains(" MiB of "), keys.encode());
      assertTrue(keys.getJsonArray("ids").encode().contains("demo-"), keys.encode());

      // The accelerator pool page: the workers as the host reports them, and its charts' figures.
      JsonArray poolRows = findings.getJsonArray("pool");
      JsonObject reports =
          host.scope()
              .nodeReports()
              .collect()
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      List<String> expectedRows = new ArrayList<>();
      List<String> utilisationSeries = new ArrayList<>();
      for (String name : reports.fieldNames()) {
        JsonArray workers = reports.getJsonObject(name).getJsonArray("workers");
        if (workers == null) continue;
        for (Object o : workers) {
          JsonObject w = (JsonObject) o;
          expectedRows.add(
              new JsonArray()
                  .add(w.getString("id"))
                  .add(w.getString("device"))
                  .add(w.getString("serves"))
                  .add(String.valueOf(w.getInteger("capacity")))
                  .add(String.valueOf(w.getInteger("inFlight")))
                  .add(w.getBoolean("healthy") ? "yes" : "no")
                  .encode());
          utilisationSeries.add(w.getString("id") + " (" + w.getString("device") + ")");
        }
      }
      assertFalse(expectedRows.isEmpty(), "the host reports pool workers: " + reports.encode());
      assertEquals(
          expectedRows.stream().sorted().toList(),
          poolRows.stream().map(r -> ((JsonArray) r).encode()).sorted().toList(),
          "pool rows as the host reports its workers");
      // one utilisation series per worker, named with its device; the host is idle now: its value
      JsonObject utilisation = findings.getJsonObject("poolUtilisation");
      for (String series : utilisationSeries) {
        assertTrue(utilisation.containsKey(series), series + " in " + utilisation.encode());
        Gauge g =
            host.scope()
                .meterRegistry()
                .find("veil.pool.worker.utilisation")
                .tag("worker", series.substring(0, series.indexOf(" (")))
                .gauge();
        assertEquals(g.value(), Double.parseDouble(utilisation.getString(series)), series);
      }
      // the batch-size histogram holds every batch the pool sent (at least the four digit calls)
      JsonObject batches = findings.getJsonObject("poolBatches");
      long shownBatches = 0;
      for (String size : batches.fieldNames()) shownBatches += batches.getLong(size);
      long sentBatches = 0;
      for (DistributionSummary d :
          host.scope().meterRegistry().find("veil.pool.batch.size").summaries())
        sentBatches += d.count();
      assertTrue(sentBatches >= 1, "the pool sent batches");
      assertEquals(sentBatches, shownBatches, "batches by size on the page: " + batches.encode());

      // Kafka: a lag row per partition for the held group, with records still waiting.
      JsonObject lag = findings.getJsonObject("lag");
      assertEquals(LAG_PARTITIONS, lag.size(), lag.encode());
      long waiting = 0;
      for (String partition : lag.fieldNames()) waiting += lag.getLong(partition);
      assertTrue(waiting > 0, "lag shown: " + lag.encode());
      // ... as the host's meters have it (the held consumer fetches no more, so they stand still)
      for (Gauge g :
          host.scope()
              .meterRegistry()
              .find("veil.kafka.lag")
              .tag("group", HeldKafkaFunctions.GROUP)
              .gauges())
        assertEquals(
            (long) g.value(),
            lag.getLong(g.getId().getTag("partition")),
            "partition " + g.getId().getTag("partition"));

      // The run cancelled in the page is cancelled on the host, before all its rows were done.
      JsonObject cancelled = findings.getJsonObject("cancelled");
      assertEquals("running", cancelled.getString("statusBefore"), cancelled.encode());
      assertEquals("cancelled", cancelled.getString("statusAfter"), cancelled.encode());
      HttpResponse<String> runNow =
          DashboardHost.send(
              host,
              "GET",
              "/api/batch/runs/" + cancelled.getString("id"),
              null,
              "x-functions-key",
              host.keys().masterKey());
      assertEquals(200, runNow.statusCode(), runNow.body());
      JsonObject run = new JsonObject(runNow.body());
      assertEquals("cancelled", run.getString("status"), run.encode());
      assertTrue(run.getInteger("rows_done", 0) < LONG_RUN_ROWS, run.encode());
    } finally {
      running.set(false);
      traffic.join();
    }
  }

  @Test
  void signInNeedsTheMasterKeyFromThePagesOwnOrigin() throws Exception {
    String origin = DashboardHost.url(host);
    HttpResponse<String> page = DashboardHost.send(host, "GET", "/ui/", null);
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("content-security-policy").orElse("");
    assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
    assertFalse(page.body().contains("<script>"), "no inline script in the page");

    assertEquals(403, signIn(host.keys().masterKey(), "http://evil.example").statusCode());
    assertEquals(403, signIn(host.keys().masterKey(), null).statusCode());
    HttpResponse<String> wrong = signIn(host.keys().hostKey(), origin);
    assertEquals(303, wrong.statusCode());
    assertEquals("/ui/?signin=failed", wrong.headers().firstValue("location").orElse(""));
    assertTrue(wrong.headers().firstValue("set-cookie").isEmpty(), "a host key is not enough");

    HttpResponse<String> ok = signIn(host.keys().masterKey(), origin);
    assertEquals(303, ok.statusCode());
    String cookie = ok.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(cookie.startsWith(Sessions.COOKIE + "="), cookie);
    String attributes = cookie.toLowerCase(Locale.ROOT);
    for (String a :
        List.of("httponly", "samesite=strict", "path=/ui", "max-age=" + SESSION_SECONDS))
      assertTrue(attributes.contains("; " + a), a + " in " + cookie);
    assertFalse(attributes.contains("; secure"), "plain HTTP host: " + cookie);
    assertFalse(cookie.contains(host.keys().masterKey()), "the key is not the cookie");
    String session = cookie.substring(0, cookie.indexOf(';'));

    JsonObject described =
        new JsonObject(
            DashboardHost.send(host, "GET", "/ui/session", null, "cookie", session).body());
    assertTrue(described.getBoolean("signedIn"));
    assertFalse(described.encode().contains(host.keys().masterKey()));
    String csrf = described.getString("csrf");

    assertEquals(401, DashboardHost.send(host, "GET", "/ui/api/overview", null).statusCode());
    assertEquals(
        200,
        DashboardHost.send(host, "GET", "/ui/api/overview", null, "cookie", session).statusCode());
    assertEquals(
        400,
        DashboardHost.send(host, "GET", "/ui/api/log?tail=nope", null, "cookie", session)
            .statusCode());
    assertEquals(
        404,
        DashboardHost.send(host, "GET", "/ui/api/host/keys", null, "cookie", session).statusCode());
    // Every state-changing call needs the session's token.
    assertEquals(
        403,
        DashboardHost.send(host, "POST", "/ui/api/signout", null, "cookie", session).statusCode());
    assertEquals(
        403,
        DashboardHost.send(
                host,
                "DELETE",
                "/ui/api/host/batch/r1",
                null,
                "cookie",
                session,
                "x-veil-csrf",
                "x")
            .statusCode());
    assertEquals(
        204,
        DashboardHost.send(
                host, "POST", "/ui/api/signout", null, "cookie", session, "x-veil-csrf", csrf)
            .statusCode());
    assertEquals(
        401,
        DashboardHost.send(host, "GET", "/ui/api/overview", null, "cookie", session).statusCode());
  }

  @Test
  void anHttpsHostMarksTheCookieSecure() {
    DashboardSettings settings = DashboardSettings.from(new JsonObject());
    Sessions tls = new Sessions(settings, true);
    String cookie = tls.cookie(tls.create("k")).encode().toLowerCase(Locale.ROOT);
    assertTrue(cookie.contains("; secure") && cookie.contains("; httponly"), cookie);
    assertEquals(Duration.ofMinutes(30), settings.sessionTtl());
  }

  private static HttpResponse<String> signIn(String key, String origin) throws Exception {
    String body = "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8);
    return origin == null
        ? DashboardHost.send(
            host, "POST", "/ui/session", body, "content-type", "application/x-www-form-urlencoded")
        : DashboardHost.send(
            host,
            "POST",
            "/ui/session",
            body,
            "content-type",
            "application/x-www-form-urlencoded",
            "origin",
            origin);
  }

  /** A batch run request: the breast-cancer model over the CSVs under {@code prefix}. */
  private static String batchRun(String prefix, int miniBatchSize) {
    return new JsonObject()
        .put("input", new JsonObject().put("container", "batch-input").put("prefix", prefix))
        .put("model", "breast-cancer")
        .put("mini_batch_size", miniBatchSize)
        .put("output", new JsonObject().put("container", "batch-output"))
        .encode();
  }

  /** Calls that keep the charts and the log moving while the browser looks. */
  private static void traffic(AtomicBoolean running) {
    int i = 0;
    while (running.get()) {
      try {
        DashboardHost.send(host, "GET", "/api/echo", null);
        if (i % 5 == 0) DashboardHost.send(host, "GET", "/api/fails", null);
        if (i % 7 == 0) DashboardHost.send(host, "GET", "/api/rejects", null);
        if (i % 11 == 0) DashboardHost.send(host, "GET", "/api/xss", null);
        i++;
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // the host stopping at the end of the test
      }
    }
  }

  /** A zero drawn as a ring, white on black, as PNG: input for the pool's digit model. */
  private static byte[] zeroPng() throws Exception {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.setStroke(new BasicStroke(3));
    g.drawOval(8, 5, 12, 18);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
