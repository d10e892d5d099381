package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.fpga.SeededResNet50;
import dev.veil.fpga.WorkerMain;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.runtime.cluster.ClusterSettings;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image pool runs on the host's (clustered) Vert.x: a host with no local image worker and a
 * {@code WorkerMain} JVM in the same cluster. Every classify-image request is answered, all of them
 * by the worker process (the worker's own log counts the samples it ran); once the worker is killed
 * and dropped, a request gets a 503 that names the cause instead of waiting.
 */
class RemoteImageWorkerTest {
  private static final int IMAGES = 50;
  private static final Pattern BATCH =
      Pattern.compile("remote-image-1: running a batch of (\\d+) for resnet50");

  @Test
  void aHostWithoutLocalWorkersServesImagesThroughAWorkerProcessOfItsCluster(@TempDir Path dir)
      throws Exception {
    String secret = UUID.randomUUID().toString();
    String name = "veil-remote-image-" + UUID.randomUUID();
    int hostPort = FreePorts.next();
    int workerPort = FreePorts.next();
    SeededResNet50.ModelFiles files = SeededResNet50.files(System::getenv);
    JsonObject resnet =
        new JsonObject()
            .put("class", "heavy-image")
            .put("accelerator", "cpu")
            .put("path", files.featurizer().toString())
            .put("maxBatchSize", 8)
            .put("maxQueueDelayMs", 20)
            .put("timeoutMs", 120_000);
    // the host's resnet50 pipeline: no local worker, remote workers welcome
    Path poolConfig = dir.resolve("pool.json");
    Files.writeString(
        poolConfig,
        new JsonObject()
            .put(
                ImageModels.RESNET50,
                new JsonObject()
                    .put("workers", new JsonArray())
                    .put("remoteWorkers", true)
                    .put("healthCheckMs", 200)
                    .put(
                        "models",
                        new JsonObject()
                            .put(
                                ImageModels.RESNET50,
                                new JsonObject()
                                    .put("maxQueueDelayMs", 20)
                                    .put("timeoutMs", 120_000))))
            .encode());
    Path workerConfig = dir.resolve("worker.json");
    Files.writeString(
        workerConfig,
        new JsonObject()
            .put("cluster", cluster(name, workerPort, hostPort))
            .put("models", new JsonObject().put(ImageModels.RESNET50, resnet))
            .put(
                "workers",
                new JsonArray()
                    .add(
                        new JsonObject().put("device", "cpu").put("capacity", 2).put("threads", 1)))
            .put("heartbeatMs", 200)
            .encode());

    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .clustered(true)
                    .configDirectory(dir)
                    .dataDirectory(dir.resolve("data"))
                    .functionClass(ImageFunctions.class)
                    .hostJson(
                        new JsonObject()
                            .put(
                                "veil",
                                new JsonObject().put("cluster", cluster(name, hostPort, hostPort))))
                    .setting(ClusterSettings.SECRET_SETTING, secret)
                    .setting(ImageModels.POOL_CONFIG, poolConfig.toString()))
            .toCompletionStage()
            .toCompletableFuture()
            .get(3, TimeUnit.MINUTES);
    Path log = Path.of("target", "remote-image-worker.log"); // kept for a look after a failure
    Files.deleteIfExists(log);
    ChildProcess worker =
        ChildProcess.java(
            "image-worker",
            WorkerMain.class.getName(),
            List.of("-Xmx512m"),
            Map.of(ClusterSettings.SECRET_SETTING, secret),
            List.of(workerConfig.toString(), "remote-image-1"),
            log);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    URI classify = URI.create("http://127.0.0.1:" + host.port() + "/api/classify-image");
    byte[] jpeg = TestImages.encode(TestImages.gradient(320, 240), "jpg");
    try {
      worker.awaitLog(l -> l.contains("remote worker remote-image-1 ready"), Duration.ofMinutes(3));
      // the host's own pipeline (the one its function uses), started on the host's Vert.x
      ImageModels pipeline = ImagePipelines.of(host.scope()).resnet50();
      Waits.until(
          () -> workerIds(pipeline).equals(List.of("remote-image-1")),
          Duration.ofMinutes(1),
          "the host's pool to take in the worker process");

      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < IMAGES; i++) {
        answers.add(
            http.sendAsync(
                HttpRequest.newBuilder(classify)
                    .timeout(Duration.ofMinutes(3))
                    .header("Content-Type", "image/jpeg")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> res = answer.get(4, TimeUnit.MINUTES);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(5, new JsonObject(res.body()).getJsonArray("top5").size(), res.body());
      }
      // the worker process ran every sample: the host had no other worker to run them on
      Waits.until(
          () -> samplesRunBy(worker) == IMAGES,
          Duration.ofSeconds(30),
          "the worker's log to count " + IMAGES + " samples");
      assertEquals(List.of("remote-image-1"), workerIds(pipeline));

      worker.kill();
      Waits.until(
          () -> workerIds(pipeline).isEmpty(),
          Duration.ofMinutes(1),
          "the pool to drop the killed worker");
      HttpResponse<String> gone =
          http.send(
              HttpRequest.newBuilder(classify)
                  .timeout(Duration.ofMinutes(1))
                  .header("Content-Type", "image/jpeg")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, gone.statusCode(), gone.body());
      assertTrue(gone.body().contains("no healthy worker serves model 'resnet50'"), gone.body());
    } finally {
      worker.kill();
      host.close().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    }
  }

  /**
   * host.json {@code veil.cluster} for one member on loopback that joins through {@code seedPort}.
   */
  private static JsonObject cluster(String name, int port, int seedPort) {
    return new JsonObject()
        .put("name", name)
        .put("port", port)
        .put("interface", "127.0.0.1")
        .put("members", new JsonArray().add("127.0.0.1:" + seedPort))
        .put("failureDetectionSeconds", 10);
  }

  private static List<String> workerIds(ImageModels pipeline) {
    try {
      return pipeline
          .router()
          .pool()
          .describeWorkers()
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS)
          .stream()
          .map(w -> w.getString("id"))
          .toList();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int samplesRunBy(ChildProcess worker) {
    int samples = 0;
    for (String line : worker.logLines()) {
      Matcher m = BATCH.matcher(line);
      if (m.find()) samples += Integer.parseInt(m.group(1));
    }
    return samples;
  }
}
