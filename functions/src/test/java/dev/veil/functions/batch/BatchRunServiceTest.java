package dev.veil.functions.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch runs through a real host's HTTP API on a local storage folder: a run over several CSV and
 * JSON-lines files checked row by row against the models, both output forms, history, cancel, bad
 * input, and a run that resumes on a second host after the first stopped mid-run, without scoring
 * its recorded mini-batches again.
 */
class BatchRunServiceTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;

  private static VeilHost host;
  private static BlobStore store;
  private static WdbcData wdbc;
  private static MnistDigits digits;

  @BeforeAll
  static void setUp() throws Exception {
    wdbc = WdbcData.load();
    digits = MnistDigits.testSplit();
    store =
        BlobStores.connect(BlobStores.folder(dir.resolve("store")), AzureBlobStore.Options.DEFAULT);
    host = start(dir.resolve("store"), dir.resolve("data"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get();
    store.close();
  }

  private static VeilHost start(Path storage, Path data) throws Exception {
    return start(BlobStores.folder(storage), data);
  }

  private static VeilHost start(String connection, Path data) throws Exception {
    return VeilHost.start(
            new HostOptions()
                .port(0)
                .dataDirectory(data)
                .configDirectory(data)
                .functionClass(BatchRunFunctions.class)
                .setting("AzureWebJobsStorage", connection)
                .setting(
                    BatchRunFunctions.SCHEDULED_RUN,
                    request("weekly/", "scored-weekly/", 10, 0).encode()))
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  /**
   * Writes a breast-cancer CSV of {@code rows} rows (plus {@code bad} bad rows); its predictions.
   */
  private static List<String> csv(BlobStore to, String name, int from, int rows, int bad) {
    BreastCancerModel bc = BreastCancerModel.bundled();
    StringBuilder text = new StringBuilder(String.join(",", bc.featureNames())).append('\n');
    List<String> expected = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      double[] row = wdbc.features()[(from + r) % wdbc.features().length];
      List<String> cells = new ArrayList<>();
      for (double v : row) {
        cells.add(String.valueOf(v));
      }
      text.append(String.join(",", cells)).append('\n');
      expected.add(String.valueOf(bc.predict(new double[][] {row}).labels()[0]));
      if (r % 7 == 3 && bad > 0) {
        text.append("1,2,three\n");
        expected.add("error");
        bad--;
      }
    }
    to.write("batch-input", name, text.toString().getBytes(StandardCharsets.UTF_8));
    return expected;
  }

  private static List<String> jsonl(BlobStore to, String name, int rows) {
    MnistLinearModel mnist = MnistLinearModel.bundled();
    StringBuilder text = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      double[] image = digits.images()[r];
      JsonArray a = new JsonArray();
      for (double v : image) {
        a.add(v);
      }
      text.append(a.encode()).append('\n');
      expected.add(String.valueOf(mnist.predict(image)));
    }
    to.write("batch-input", name, text.toString().getBytes(StandardCharsets.UTF_8));
    return expected;
  }

  private static HttpResponse<String> call(VeilHost on, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.port() + "/api/" + path))
            .header("x-functions-key", on.keys().hostKey())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject run(VeilHost on, String id) throws Exception {
    HttpResponse<String> r = call(on, "GET", "batch/runs/" + id, null);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  private static JsonObject awaitStatus(VeilHost on, String id, String status) {
    JsonObject[] last = new JsonObject[1];
    Waits.until(
        () -> {
          try {
            last[0] = run(on, id);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return !last[0].getString("status").matches("queued|running");
        },
        Duration.ofSeconds(60),
        "run " + id + " to finish");
    assertEquals(status, last[0].getString("status"), last[0].encodePrettily());
    return last[0];
  }

  private static String submit(VeilHost on, JsonObject body) throws Exception {
    HttpResponse<String> r = call(on, "POST", "batch/runs", body.encode());
    assertEquals(202, r.statusCode(), r.body());
    JsonObject run = new JsonObject(r.body());
    assertEquals("queued", run.getString("status"));
    return run.getString("id");
  }

  private static JsonObject request(String in, String out, int miniBatch, int threshold) {
    return new JsonObject()
        .put("input", new JsonObject().put("container", "batch-input").put("prefix", in))
        .put("model", "auto")
        .put("mini_batch_size", miniBatch)
        .put("error_threshold", threshold)
        .put("output", new JsonObject().put("container", "batch-output").put("prefix", out));
  }

  private static String text(BlobStore from, String container, String name) {
    return new String(from.read(container, name), StandardCharsets.UTF_8);
  }

  @Test
  void aRunScoresEveryFileRowByRowIntoBothOutputForms() throws Exception {
    Map<String, List<String>> expected = new HashMap<>();
    expected.put("week1/a.csv", csv(store, "week1/a.csv", 0, 23, 0));
    expected.put("week1/b.csv", csv(store, "week1/b.csv", 100, 17, 2));
    expected.put("week1/c.csv", csv(store, "week1/c.csv", 200, 9, 0));
    expected.put("week1/d.jsonl", jsonl(store, "week1/d.jsonl", 6));

    String id = submit(host, request("week1/", "scored-week1/", 4, 5));
    JsonObject done = awaitStatus(host, id, "succeeded");
    int rows = expected.values().stream().mapToInt(List::size).sum();
    assertEquals(rows, done.getInteger("rows_total"));
    assertEquals(rows, done.getInteger("rows_done"));
    assertEquals(2, done.getInteger("errors"));
    assertEquals(4, done.getInteger("files"));
    assertEquals(6 + 5 + 3 + 2, done.getInteger("mini_batches_done")); // ceil(rows / 4) per file
    assertTrue(done.containsKey("started") && done.containsKey("ended"), done.encode());

    StringBuilder seedForm = new StringBuilder();
    for (String file : List.of("week1/a.csv", "week1/b.csv", "week1/c.csv", "week1/d.jsonl")) {
      List<String> lines =
          text(store, "batch-output", "scored-week1/" + file + ".predictions.jsonl")
              .lines()
              .toList();
      List<String> want = expected.get(file);
      assertEquals(want.size(), lines.size(), file);
      for (int r = 0; r < lines.size(); r++) {
        JsonObject line = new JsonObject(lines.get(r));
        assertEquals(file, line.getString("file"));
        assertEquals(r + 1, line.getInteger("row"));
        String got = line.containsKey("error") ? "error" : line.getInteger("prediction").toString();
        assertEquals(want.get(r), got, file + " row " + (r + 1));
        if (!got.equals("error")) {
          seedForm.append(file).append(':').append(got).append('\n');
        }
      }
    }
    assertEquals(
        seedForm.toString(), text(store, "batch-output", "scored-week1/parallel_run_step.txt"));

    HttpResponse<String> history = call(host, "GET", "batch/runs", null);
    assertEquals(200, history.statusCode());
    assertTrue(
        new JsonObject(history.body())
            .getJsonArray("runs").stream()
                .anyMatch(r -> ((JsonObject) r).getString("id").equals(id)),
        history.body());
  }

  @Test
  void theCliSubmitsToAHostAndFollowsTheRun() throws Exception {
    csv(store, "cli/a.csv", 0, 12, 0);
    jsonl(store, "cli/b.jsonl", 3);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    String url = "http://127.0.0.1:" + host.port();
    List<String> args =
        List.of(
            "--host",
            url,
            "--key",
            host.keys().hostKey(),
            "--input",
            "batch-input/cli/",
            "--output",
            "batch-output/scored-cli/",
            "--mini-batch-size",
            "5");
    int code =
        new BatchCli()
            .run(
                args,
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, printed + err.toString(StandardCharsets.UTF_8));
    assertTrue(printed.contains("succeeded: 15 of 15 rows, 0 errors"), printed);
    assertEquals(
        15, text(store, "batch-output", "scored-cli/parallel_run_step.txt").lines().count());

    List<String> bad = new ArrayList<>(args);
    bad.set(bad.indexOf("5"), "0");
    assertEquals(
        2, new BatchCli().run(bad, new java.io.PrintStream(out), new java.io.PrintStream(err)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("mini_batch_size"));
    List<String> noKey = new ArrayList<>(args.subList(0, 2));
    noKey.addAll(args.subList(4, args.size()));
    assertEquals(
        1, new BatchCli().run(noKey, new java.io.PrintStream(out), new java.io.PrintStream(err)));
  }

  @Test
  void theWeeklyScheduleSubmitsTheConfiguredRun() throws Exception {
    csv(store, "weekly/a.csv", 0, 25, 0);
    HttpResponse<String> fired =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + host.port() + "/admin/functions/batchRunsWeekly"))
                .header("x-functions-key", host.keys().masterKey())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\": \"\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(202, fired.statusCode(), fired.body());
    Waits.until(
        () ->
            store.list("batch-output", "scored-weekly/parallel_run_step.txt", null).items().size()
                == 1,
        Duration.ofSeconds(60),
        "the scheduled run's output");
    assertEquals(
        25, text(store, "batch-output", "scored-weekly/parallel_run_step.txt").lines().count());
  }

  @Test
  void onAzuriteARunSucceedsAndACancelHolds() throws Exception {
    String connection = dev.veil.testkit.Azurite.connectionString();
    BlobStore azure = BlobStores.connect(connection, AzureBlobStore.Options.DEFAULT);
    String prefix = "az-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "/";
    List<String> expected = csv(azure, prefix + "a.csv", 0, 30, 1);
    expected.addAll(jsonl(azure, prefix + "b.jsonl", 4));
    VeilHost onAzure = start(connection, dir.resolve("data-azurite"));
    try {
      String id = submit(onAzure, request(prefix, "out-" + prefix, 8, 1));
      JsonObject done = awaitStatus(onAzure, id, "succeeded");
      assertEquals(35, done.getInteger("rows_done"));
      assertEquals(1, done.getInteger("errors"));
      List<String> seed =
          text(azure, "batch-output", "out-" + prefix + "parallel_run_step.txt").lines().toList();
      List<String> want = expected.stream().filter(e -> !e.equals("error")).toList();
      assertEquals(want.size(), seed.size());
      for (int r = 0; r < seed.size(); r++) {
        assertTrue(seed.get(r).endsWith(":" + want.get(r)), seed.get(r) + " vs " + want.get(r));
      }
      HttpResponse<String> again = call(onAzure, "DELETE", "batch/runs/" + id, null);
      assertEquals("succeeded", new JsonObject(again.body()).getString("status"));
    } finally {
      onAzure.close().toCompletionStage().toCompletableFuture().get();
      azure.close();
    }
  }

  @Test
  void tooManyBadRowsFailTheRun() throws Exception {
    csv(store, "bad/a.csv", 0, 30, 4);
    String id = submit(host, request("bad/", "scored-bad/", 5, 3));
    JsonObject failed = awaitStatus(host, id, "failed");
    assertTrue(failed.getString("reason").contains("error_threshold 3"), failed.encode());
    assertFalse(
        store.list("batch-output", "scored-bad/", null).items().stream()
            .anyMatch(b -> b.name().endsWith("parallel_run_step.txt")));
  }

  @Test
  void aCancelledRunStopsAndStaysCancelled() throws Exception {
    csv(store, "big/a.csv", 0, 3000, 0);
    String id = submit(host, request("big/", "scored-big/", 1, 0));
    HttpResponse<String> cancel = call(host, "DELETE", "batch/runs/" + id, null);
    assertEquals(200, cancel.statusCode(), cancel.body());
    assertEquals("cancelled", new JsonObject(cancel.body()).getString("status"));
    Thread.sleep(1500); // the runner notices between mini-batches
    JsonObject after = run(host, id);
    int done = after.getInteger("mini_batches_done", 0);
    Thread.sleep(1000);
    JsonObject later = run(host, id);
    assertEquals("cancelled", later.getString("status"), later.encode());
    assertEquals(done, later.getInteger("mini_batches_done", 0), "no mini-batch after the cancel");
    assertTrue(done < 3000, later.encode());
    assertFalse(
        store.list("batch-output", "scored-big/", null).items().stream()
            .anyMatch(b -> b.name().endsWith("parallel_run_step.txt")));
  }

  @Test
  void badInputIsRefusedNamingTheField() throws Exception {
    Map<String, String> cases = new HashMap<>();
    cases.put("not json", "body");
    cases.put("[1]", "body");
    cases.put(
        new JsonObject().put("output", new JsonObject().put("container", "out")).encode(), "input");
    cases.put(request("x/", "y/", 0, 1).encode(), "mini_batch_size");
    cases.put(request("x/", "y/", 5, -2).encode(), "error_threshold");
    cases.put(request("x/", "y/", 5, 1).put("model", "gpt").encode(), "model");
    cases.put(request("x/", "y/", 5, 1).put("colour", "red").encode(), "colour");
    cases.put(
        request("x/", "y/", 5, 1)
            .put("output", new JsonObject().put("container", "Bad_Name"))
            .encode(),
        "output.container");
    cases.put(
        request("x/", "y/", 5, 1)
            .put(
                "input",
                new JsonObject()
                    .put("container", "batch-input")
                    .put("files", new JsonArray().add("a.exe")))
            .encode(),
        "input.files");
    cases.put(request("nothing-here/", "y/", 5, 1).encode(), "input");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = call(host, "POST", "batch/runs", c.getKey());
      assertEquals(400, r.statusCode(), c.getKey() + " → " + r.body());
      assertTrue(
          new JsonObject(r.body()).getString("error").startsWith(c.getValue()),
          c.getKey() + " → " + r.body());
    }
    assertEquals(404, call(host, "GET", "batch/runs/no-such-run", null).statusCode());
    assertEquals(404, call(host, "GET", "batch/runs/..%2Fescape", null).statusCode());
    assertEquals(404, call(host, "DELETE", "batch/runs/no-such-run", null).statusCode());
    HttpResponse<String> anonymous =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + host.port() + "/api/batch/runs"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode());
  }

  @Test
  void aRunResumesOnTheNextHostWithoutRedoingRecordedMiniBatches() throws Exception {
    Path storage = dir.resolve("restart-store");
    BlobStore own = BlobStores.connect(BlobStores.folder(storage), AzureBlobStore.Options.DEFAULT);
    List<String> expected = csv(own, "r/a.csv", 0, 400, 0);
    expected.addAll(csv(own, "r/b.csv", 400, 400, 0));
    VeilHost first = start(storage, dir.resolve("data-1"));
    String id = submit(first, request("r/", "out-r/", 2, 0));
    // The last mini-batch claimed as by a busy member: the first host cannot finish the run before
    // it closes, however fast it scores (it goes through the mini-batches in order).
    String claim = id + "/claims/1/199";
    own.write("veil-batch-runs", claim, new byte[0], BlobStore.Conditions.ifNotExists());
    String lease =
        own.acquireLease("veil-batch-runs", claim, BlobStore.MIN_LEASE)
            .orElseThrow(() -> new AssertionError("the host claimed the last mini-batch first"));
    Waits.until(
        () -> {
          try {
            return run(first, id).getInteger("mini_batches_done", 0) >= 20;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        Duration.ofSeconds(60),
        "20 mini-batches");
    first.close().toCompletionStage().toCompletableFuture().get();

    Map<String, String> recorded =
        own.list("veil-batch-runs", id + "/batches/", null).items().stream()
            .collect(Collectors.toMap(BlobStore.BlobInfo::name, BlobStore.BlobInfo::etag));
    JsonObject stopped = new JsonObject(text(own, "veil-batch-runs", id + "/run.json"));
    assertEquals("running", stopped.getString("status"));
    assertTrue(recorded.size() >= 20 && recorded.size() < 400, "recorded " + recorded.size());
    own.releaseLease("veil-batch-runs", claim, lease);

    VeilHost second = start(storage, dir.resolve("data-2"));
    try {
      JsonObject done = awaitStatus(second, id, "succeeded");
      assertEquals(800, done.getInteger("rows_done"));
      assertEquals(400, done.getInteger("mini_batches_done"));
      assertTrue(done.getInteger("mini_batches_reused") >= recorded.size(), done.encode());
      assertEquals(1, done.getInteger("resumes"), done.encode());
      recorded.forEach(
          (name, etag) ->
              assertEquals(etag, own.properties("veil-batch-runs", name).etag(), name + " redone"));
      List<String> seed = text(own, "batch-output", "out-r/parallel_run_step.txt").lines().toList();
      assertEquals(800, seed.size());
      for (int r = 0; r < 800; r++) {
        assertEquals((r < 400 ? "r/a.csv:" : "r/b.csv:") + expected.get(r), seed.get(r));
      }
    } finally {
      second.close().toCompletionStage().toCompletableFuture().get();
      own.close();
    }
  }
}
