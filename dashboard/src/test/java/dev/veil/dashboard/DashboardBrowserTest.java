package dev.veil.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.image.ImageFunctions;
import dev.veil.runtime.VeilHost;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against one real host with real traffic (answers, failures, a 400, a function and a
 * log line with markup, the accelerator pool's digit model, a batch run): in headless Chromium
 * (src/test/browser/dashboard-check.mjs: every page with its data and charts, keyboard, sign-in,
 * sign-out, expiry, CSRF, no console errors, nothing leaving 127.0.0.1; screenshots in
 * target/screenshots), and over plain HTTP for the session and CSRF rules.
 */
class DashboardBrowserTest {
  private static final int SESSION_SECONDS = 30;
  private static final Path CHECK = Path.of("src", "test", "browser", "dashboard-check.mjs");

  @TempDir static Path dir;
  private static VeilHost host;

  @BeforeAll
  static void start() throws Exception {
    host =
        DashboardHost.start(
            dir,
            new JsonObject().put("sessionSeconds", SESSION_SECONDS).put("sampleSeconds", 1),
            ImageFunctions.class);
    DashboardHost.batchInput(dir, "dash/a.csv", 40);
    HttpResponse<String> run =
        DashboardHost.send(
            host,
            "POST",
            "/api/batch/runs",
            new JsonObject()
                .put(
                    "input",
                    new JsonObject().put("container", "batch-input").put("prefix", "dash/"))
                .put("model", "breast-cancer")
                .put("mini_batch_size", 10)
                .put("output", new JsonObject().put("container", "batch-output"))
                .encode(),
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
                  "--key",
                  host.keys().masterKey(),
                  "--functions",
                  "echo,fails,rejects,classify-digit,batchRuns",
                  "--xss-name",
                  TrafficFunctions.XSS_NAME,
                  "--xss-problem",
                  TrafficFunctions.XSS_PROBLEM,
                  "--shots",
                  shots.toString(),
                  "--session-seconds",
                  String.valueOf(SESSION_SECONDS))
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
          List.of("functions", "log", "keys", "cluster", "pool", "triggers", "batch"))
        assertTrue(shots.resolve(page + ".png").toFile().length() > 0, page + ".png");
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
