package dev.veil.inference;

import static dev.veil.inference.ProtocolHost.get;
import static dev.veil.inference.ProtocolHost.post;
import static dev.veil.inference.RestProtocolTest.assertError;
import static dev.veil.inference.RestProtocolTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.image.ImageModels;
import dev.veil.functions.image.ImagePipelines;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Triton-style model repository on a real host: the digits CNN's config.pbtxt mapped onto its
 * accelerator pool, the index, and unload / load; bad configs refused with the file and field.
 */
class ModelRepositoryTest {
  static final String DIGITS_CONFIG =
      """
      # as Triton users write it; input/output are accepted and not used
      name: "digits"
      platform: "onnxruntime_onnx"
      max_batch_size: 4
      dynamic_batching { max_queue_delay_microseconds: 500 }
      instance_group [ { count: 2, kind: KIND_CPU } ]
      input [ { name: "image", data_type: TYPE_FP32, dims: [ 1, 28, 28 ] } ]
      output [ { name: "logits", data_type: TYPE_FP32, dims: [ 10 ] } ]
      """;

  @TempDir static Path data;
  @TempDir static Path repository;
  static VeilHost host;
  static String base;
  static String key;

  @BeforeAll
  static void start() throws Exception {
    write(repository.resolve("digits/config.pbtxt"), DIGITS_CONFIG);
    write(repository.resolve("breast-cancer/config.json"), "{\"max_batch_size\": 2}");
    host =
        ProtocolHost.start(
            data,
            ProtocolHost.protocolConfig(
                new JsonObject().put("modelRepository", repository.toString())));
    base = "http://127.0.0.1:" + host.port();
    key = host.keys().hostKey();
  }

  @AfterAll
  static void stop() throws Exception {
    ProtocolHost.stop(host);
  }

  @Test
  void configReachesMetadataAndThePool() throws Exception {
    JsonObject config = json(get(base, "/v2/models/digits/config", key), 200);
    assertEquals(4, config.getInteger("max_batch_size"));
    assertEquals(
        500L, config.getJsonObject("dynamic_batching").getLong("max_queue_delay_microseconds"));
    assertEquals(2, config.getJsonArray("instance_group").getJsonObject(0).getInteger("count"));
    assertEquals(
        2,
        json(get(base, "/v2/models/breast-cancer/config", key), 200).getInteger("max_batch_size"));

    // the request's batch is bounded by the config's max_batch_size
    assertError(post(base, "/v2/models/digits/infer", key, digits(5)), 400, "1 to 4");
    assertEquals(4, infer(4).getJsonArray("shape").getInteger(0));

    // the pool started with the config's settings: max batch, queue delay, two CPU workers
    JsonObject pool =
        json(get(base, "/v2/models/digits/config", key), 200)
            .getJsonObject("veil_accelerator_pool");
    JsonObject spec = pool.getJsonObject("models").getJsonObject("digits");
    assertEquals(4, spec.getInteger("maxBatchSize"));
    assertEquals(0.5, spec.getDouble("maxQueueDelayMs"), 1e-9);
    List<JsonObject> workers =
        ImagePipelines.of(host.scope())
            .digits()
            .router()
            .pool()
            .describeWorkers()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(2, workers.stream().filter(w -> !w.getBoolean("remote")).count());
    assertTrue(workers.stream().allMatch(w -> w.getString("device").equals("cpu")));
    assertEquals(
        spec,
        ImagePipelines.of(host.scope())
            .configuration(ImageModels.DIGITS)
            .getJsonObject("models")
            .getJsonObject("digits"));
  }

  @Test
  void indexUnloadAndLoad() throws Exception {
    JsonArray index = index(get(base, "/v2/repository/index", key));
    JsonObject digits = entry(index, "digits");
    assertEquals("READY", digits.getString("state"));
    assertEquals("1", digits.getString("version"));
    assertTrue(entry(index, "mnist-linear") != null);
    assertEquals(401, get(base, "/v2/repository/index", null).statusCode());
    assertEquals(
        401, post(base, "/v2/repository/models/digits/unload", null, new byte[0]).statusCode());

    assertEquals(
        200, post(base, "/v2/repository/models/digits/unload", key, new byte[0]).statusCode());
    JsonObject unloaded =
        entry(index(post(base, "/v2/repository/index", key, new byte[0])), "digits");
    assertEquals("UNAVAILABLE", unloaded.getString("state"));
    assertTrue(unloaded.getString("reason").contains("unloaded"), unloaded.encode());
    assertEquals(503, get(base, "/v2/models/digits/ready", key).statusCode());
    assertError(post(base, "/v2/models/digits/infer", key, digits(1)), 400, "not ready");
    // the pool was released (nothing started is left)
    assertEquals(null, ImagePipelines.of(host.scope()).configuration(ImageModels.DIGITS));

    assertEquals(
        200, post(base, "/v2/repository/models/digits/load", key, new byte[0]).statusCode());
    assertEquals(
        "READY", entry(index(get(base, "/v2/repository/index", key)), "digits").getString("state"));
    assertEquals(200, get(base, "/v2/models/digits/ready", key).statusCode());
    assertEquals(10, infer(1).getJsonArray("shape").getInteger(1));

    assertEquals(404, post(base, "/v2/repository/models/nope/load", key, new byte[0]).statusCode());
  }

  @Test
  void badConfigsNameFileAndField() throws Exception {
    assertBad("max_batch_size: 4\nsequence_batching { }\n", "sequence_batching");
    assertBad("max_batch_size: 0\n", "max_batch_size");
    assertBad(
        "max_batch_size: 4\ninstance_group [ { count: 1, kind: KIND_TPU } ]\n",
        "instance_group.kind");
    assertBad(
        "max_batch_size: 4\ninstance_group [ { count: 1, kind: KIND_CPU }, { kind: KIND_GPU } ]\n",
        "instance_group.kind");
    assertBad("name: \"other\"\nmax_batch_size: 4\n", "name");
    assertBad(
        "max_batch_size: 4\ndynamic_batching { max_queue_delay_microseconds: -3 }\n",
        "max_queue_delay_microseconds");
    assertBad(
        "max_batch_size: 4\ndynamic_batching { max_queue_delay_microseconds: 1\n",
        "dynamic_batching");
    assertBad("max_batch_size: \"four\"\n", "max_batch_size");

    // a config for a model Veil does not serve, or pool fields on a model off the pool
    Path repo = Files.createTempDirectory(data, "repo");
    write(repo.resolve("yolo/config.pbtxt"), "max_batch_size: 1\n");
    assertRefused(repo, "yolo/config.pbtxt", "'yolo'");
    Files.delete(repo.resolve("yolo/config.pbtxt"));
    Files.delete(repo.resolve("yolo"));
    write(
        repo.resolve("mnist-linear/config.json"),
        "{\"max_batch_size\": 8, \"instance_group\": [{\"count\": 2}]}");
    assertRefused(repo, "mnist-linear/config.json", "instance_group");
  }

  private static void assertRefused(Path repo, String file, String field) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ModelRepository(
                    List.of(TabularModel.mnistLinear()), ModelConfig.readRepository(repo)));
    assertTrue(e.getMessage().contains(file) && e.getMessage().contains(field), e.getMessage());
  }

  @Test
  void hostRefusesToStartWithABadConfig() throws Exception {
    Path repo = Files.createTempDirectory(data, "bad-repo");
    Path file = repo.resolve("digits/config.pbtxt");
    write(file, "max_batch_size: 8\ninstance_group [ { count: 1, kind: KIND_TPU } ]\n");
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                ProtocolHost.start(
                    Files.createTempDirectory(data, "bad-host"),
                    ProtocolHost.protocolConfig(
                        new JsonObject().put("modelRepository", repo.toString()))));
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof IllegalArgumentException))
      cause = cause.getCause();
    assertTrue(
        cause.getMessage().contains(file.toString())
            && cause.getMessage().contains("instance_group.kind"),
        String.valueOf(cause));
  }

  private static void assertBad(String pbtxt, String field) throws Exception {
    Path dir = data.resolve("bad-" + System.nanoTime()).resolve("digits");
    write(dir.resolve("config.pbtxt"), pbtxt);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.read(dir));
    assertTrue(
        e.getMessage().contains(dir.resolve("config.pbtxt").toString())
            && e.getMessage().contains(field),
        pbtxt + " -> " + e.getMessage());
  }

  private static JsonObject infer(int batch) throws Exception {
    JsonObject answer = json(post(base, "/v2/models/digits/infer", key, digits(batch)), 200);
    return answer.getJsonArray("outputs").getJsonObject(0);
  }

  private static byte[] digits(int batch) {
    JsonArray zeros = new JsonArray();
    for (int i = 0; i < batch * 28 * 28; i++) zeros.add(0.0);
    return new JsonObject()
        .put(
            "inputs",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", "image")
                        .put("datatype", "FP32")
                        .put("shape", new JsonArray().add(batch).add(1).add(28).add(28))
                        .put("data", zeros)))
        .toBuffer()
        .getBytes();
  }

  private static JsonObject entry(JsonArray index, String name) {
    for (int i = 0; i < index.size(); i++)
      if (index.getJsonObject(i).getString("name").equals(name)) return index.getJsonObject(i);
    return null;
  }

  private static JsonArray index(HttpResponse<byte[]> response) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(200, response.statusCode(), body);
    return new JsonArray(body);
  }

  private static void write(Path file, String text) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
