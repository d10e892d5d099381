package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image functions in a real Veil host, called over real HTTP on loopback. */
class ImageHttpTest {
  static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  @TempDir static Path data;
  static VeilHost host;

  @BeforeAll
  static void start() throws Exception {
    host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .functionClass(ImageFunctions.class)
                    .dataDirectory(data)
                    .hostJson(
                        new JsonObject().put("veil", new JsonObject().put("workerPoolSize", 16))))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static HttpRequest post(String route, String contentType, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/api/" + route))
            .timeout(Duration.ofSeconds(120))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return b.build();
  }

  static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void digitsCnnReachesItsReportedAccuracyOverHttp() throws Exception {
    JsonObject report;
    try (InputStream in = getClass().getResourceAsStream("/models/image/digits-cnn.json")) {
      report = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    List<TestImages.Digit> holdout = TestImages.holdout();
    assertEquals(report.getInteger("holdout_samples"), holdout.size());
    // 16 requests in flight, so the digits batcher sees concurrency as it would in service.
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (TestImages.Digit d : holdout) {
      inFlight.acquire();
      answers.add(
          CLIENT
              .sendAsync(
                  post("classify-digit", "image/png", d.png()),
                  HttpResponse.BodyHandlers.ofString())
              .whenComplete((r, e) -> inFlight.release())
              .thenApply(
                  r -> {
                    assertEquals(200, r.statusCode(), r.body());
                    JsonArray top5 = new JsonObject(r.body()).getJsonArray("top5");
                    assertEquals(5, top5.size());
                    return top5.getJsonObject(0).getInteger("class") == d.label()
                        && top5.getJsonObject(0)
                            .getString("label")
                            .equals(String.valueOf(d.label()));
                  }));
    }
    int correct = 0;
    for (CompletableFuture<Boolean> a : answers) if (a.get(120, TimeUnit.SECONDS)) correct++;
    int reported = report.getInteger("holdout_correct");
    System.out.printf(
        "digits over HTTP: %d of %d correct (%.2f%%), training reported %d%n",
        correct, holdout.size(), 100.0 * correct / holdout.size(), reported);
    // Same pixels, same graph: only float rounding between PyTorch and ONNX Runtime may flip a
    // borderline digit.
    assertTrue(
        Math.abs(correct - reported) <= 2,
        "correct " + correct + ", training reported " + reported);
  }

  @Test
  void classifyImageAnswersTop5ImageNetClasses() throws Exception {
    HttpResponse<String> r =
        send(
            post(
                "classify-image",
                "image/jpeg",
                TestImages.encode(TestImages.gradient(640, 480), "jpeg")));
    assertEquals(200, r.statusCode(), r.body());
    JsonObject body = new JsonObject(r.body());
    assertEquals("resnet50", body.getString("model"));
    JsonArray top5 = body.getJsonArray("top5");
    assertEquals(5, top5.size());
    double previous = 1;
    for (int i = 0; i < 5; i++) {
      JsonObject p = top5.getJsonObject(i);
      assertEquals(TestImagesLabels.IMAGENET.get(p.getInteger("class")), p.getString("label"));
      assertTrue(p.getDouble("confidence") <= previous && p.getDouble("confidence") > 0);
      previous = p.getDouble("confidence");
    }
  }

  @Test
  void multipartUploadsAreClassifiedLikeTheRawImage() throws Exception {
    byte[] png = TestImages.encode(TestImages.gradient(300, 200), "png");
    String type = "multipart/form-data; boundary=veil-test-boundary";
    for (String route : List.of("classify-digit", "classify-image")) {
      HttpResponse<String> raw = send(post(route, "image/png", png));
      HttpResponse<String> form =
          send(post(route, type, MultipartTest.form("veil-test-boundary", "image/png", png)));
      assertEquals(200, form.statusCode(), route + ": " + form.body());
      assertEquals(new JsonObject(raw.body()), new JsonObject(form.body()), route);

      Object[][] bad = {
        {MultipartTest.form("veil-test-boundary", null, null), "no file part (fields: note)"},
        {
          MultipartTest.form("veil-test-boundary", "text/plain", png),
          "has Content-Type 'text/plain'"
        },
      };
      for (Object[] c : bad) {
        HttpResponse<String> r = send(post(route, type, (byte[]) c[0]));
        assertEquals(400, r.statusCode(), route + " " + c[1] + ": " + r.body());
        assertTrue(
            new JsonObject(r.body()).getString("error").contains((String) c[1]),
            route + ": " + r.body());
      }
      HttpResponse<String> urlencoded =
          send(
              post(
                  route,
                  "application/x-www-form-urlencoded",
                  "image=abc".getBytes(StandardCharsets.UTF_8)));
      assertEquals(400, urlencoded.statusCode(), route + ": " + urlencoded.body());
      assertTrue(
          new JsonObject(urlencoded.body())
              .getString("error")
              .contains("unsupported Content-Type 'application/x-www-form-urlencoded'"));
    }
  }

  @Test
  void badInputIsA400WithAMessage() throws Exception {
    byte[] png = TestImages.encode(TestImages.gradient(300, 300), "png");
    Object[][] cases = {
      {
        "text/plain",
        "hello".getBytes(StandardCharsets.UTF_8),
        "unsupported Content-Type 'text/plain'"
      },
      {
        "image/png",
        "definitely not a picture".getBytes(StandardCharsets.UTF_8),
        "not a JPEG or PNG"
      },
      {"image/png", new byte[0], "empty body"},
      {"image/png", Arrays.copyOf(png, png.length / 3), "damaged or truncated"},
      {"image/png", TestImages.pngClaiming(10_000, 5_000), "limit is 40.0 megapixels"},
    };
    for (String route : List.of("classify-digit", "classify-image")) {
      for (Object[] c : cases) {
        HttpResponse<String> r = send(post(route, (String) c[0], (byte[]) c[1]));
        assertEquals(400, r.statusCode(), route + " " + c[2] + ": " + r.body());
        String error = new JsonObject(r.body()).getString("error");
        assertTrue(error.contains((String) c[2]), route + ": " + error);
      }
    }
  }
}
