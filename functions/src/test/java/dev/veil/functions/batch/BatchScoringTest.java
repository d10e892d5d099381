package dev.veil.functions.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch scoring through the blob trigger on Azurite: 200 files (breast-cancer CSV, MNIST JSON
 * lines, files with bad rows under and over the error threshold, one unreadable file), dropped in
 * two halves around a host restart. Each file is processed once, outputs are checked row by row
 * against the models.
 */
class BatchScoringTest {
  private static final String RUN = "run-" + UUID.randomUUID().toString().substring(0, 8);
  private static final int THRESHOLD = 3;

  /** The expected line of a row that must fail. */
  private static final String ERROR = "error";

  private static BlobServiceClient azure;
  private static WdbcData wdbc;
  private static MnistDigits digits;

  @TempDir static Path data;

  @BeforeAll
  static void setUp() {
    azure =
        new BlobServiceClientBuilder()
            .connectionString(Azurite.connectionString())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
    wdbc = WdbcData.load();
    digits = MnistDigits.testSplit();
  }

  /**
   * One input file and the prediction lines it must produce (null: the file must fail or be
   * poison).
   */
  private record Input(String name, byte[] content, List<String> expectedLines, String kind) {}

  private static Input input(int i) {
    // Names with ':', ':error:' or a line break (the store takes them) must not confuse the output
    // (the seed's
    // file:prediction lines could).
    String stem =
        i == 7 ? "/x:error:file" : i == 11 ? "/file:" : i == 3 ? "/two\nlines:file" : "/file";
    String name = RUN + stem + i + (i % 4 == 1 ? ".jsonl" : ".csv");
    BreastCancerModel bc = BreastCancerModel.bundled();
    MnistLinearModel mnist = MnistLinearModel.bundled();
    if (i == 13) {
      return new Input(
          RUN + "/file13.csv",
          new byte[] {(byte) 0xff, (byte) 0xfe, 0x41, (byte) 0xc3, 0x28},
          null,
          "poison");
    }
    int badRows = i % 20 == 5 ? 2 : i % 20 == 15 ? THRESHOLD + 2 : 0;
    StringBuilder text = new StringBuilder();
    List<String> lines = new ArrayList<>();
    if (i % 4 == 1) {
      for (int r = 0; r < 3; r++) {
        double[] image = digits.images()[(i * 3 + r) % digits.images().length];
        text.append(new JsonArray(list(image)).encode()).append('\n');
        lines.add(String.valueOf(mnist.predict(image)));
      }
    } else {
      text.append(String.join(",", bc.featureNames())).append('\n');
      for (int r = 0; r < 6; r++) {
        double[] row = wdbc.features()[(i * 6 + r) % wdbc.features().length];
        text.append(list(row).stream().map(String::valueOf).collect(Collectors.joining(",")))
            .append('\n');
        lines.add(String.valueOf(bc.predict(new double[][] {row}).labels()[0]));
      }
    }
    for (int b = 0; b < badRows; b++) {
      text.append(i % 4 == 1 ? "{\"features\": \"oops\"}" : "1,2,three").append('\n');
      lines.add(ERROR);
    }
    String kind = badRows > THRESHOLD ? "over" : badRows > 0 ? "under" : "good";
    return new Input(
        name, text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), lines, kind);
  }

  private static List<Double> list(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  private static VeilHost startHost() throws Exception {
    JsonObject hostJson =
        new JsonObject()
            .put(
                "extensions",
                new JsonObject()
                    .put("blobs", new JsonObject().put("maxPollingInterval", "00:00:00.500")));
    return VeilHost.start(
            new HostOptions()
                .port(0)
                .dataDirectory(data)
                .functionClass(BatchScoringFunction.class)
                .hostJson(hostJson)
                .setting("AzureWebJobsStorage", Azurite.connectionString())
                .setting("BATCH_ERROR_THRESHOLD", Integer.toString(THRESHOLD))
                .setting("BATCH_MINI_BATCH_SIZE", "4")
                .setting("BATCH_PARALLELISM", "2"))
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  @Test
  void twoHundredFilesAreScoredOnceAcrossARestartRowByRow() throws Exception {
    BlobContainerClient in = azure.createBlobContainerIfNotExists("batch-input");
    BlobContainerClient out = azure.createBlobContainerIfNotExists("batch-output");
    BlobContainerClient poison = azure.createBlobContainerIfNotExists("webjobs-blobtrigger-poison");
    List<Input> inputs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      inputs.add(input(i));
    }

    for (Input f : inputs.subList(0, 100)) {
      in.getBlobClient(f.name()).upload(BinaryData.fromBytes(f.content()), true);
    }
    VeilHost host = startHost();
    await(
        () -> summaries(out).size() >= 99 && poisonRecords(poison).size() == 1,
        "the first 100 files");
    host.close().toCompletionStage().toCompletableFuture().get();
    Map<String, String> firstEtags = etags(out);

    for (Input f : inputs.subList(100, 200)) {
      in.getBlobClient(f.name()).upload(BinaryData.fromBytes(f.content()), true);
    }
    host = startHost();
    await(() -> summaries(out).size() >= 199, "all 199 readable files");
    Thread.sleep(
        1500); // one more idle scan, in which an unreceipted first-half file would run again
    host.close().toCompletionStage().toCompletableFuture().get();

    Map<String, String> etags = etags(out);
    firstEtags.forEach(
        (name, etag) -> assertEquals(etag, etags.get(name), name + " was written again"));
    assertEquals(1, poisonRecords(poison).size(), "one poison record");
    JsonObject poisonRecord =
        new JsonObject(
            poison.getBlobClient(poisonRecords(poison).get(0)).downloadContent().toString());
    assertEquals(RUN + "/file13.csv", poisonRecord.getString("blob"));
    assertTrue(poisonRecord.getString("reason").contains("not UTF-8"), poisonRecord.encode());

    Map<String, Integer> kinds = new HashMap<>();
    for (Input f : inputs) {
      kinds.merge(f.kind(), 1, Integer::sum);
      if (f.kind().equals("poison")) {
        assertFalse(out.getBlobClient(f.name() + ".summary.json").exists());
        continue;
      }
      JsonObject summary =
          new JsonObject(
              out.getBlobClient(f.name() + ".summary.json").downloadContent().toString());
      long errors = f.expectedLines().stream().filter(ERROR::equals).count();
      assertEquals(errors, summary.getLong("errors"), f.name());
      boolean predictions = out.getBlobClient(f.name() + ".predictions.jsonl").exists();
      if (f.kind().equals("over")) {
        assertEquals("failed", summary.getString("status"), f.name());
        assertFalse(predictions, f.name() + " is over the error threshold: no predictions");
        continue;
      }
      assertEquals("succeeded", summary.getString("status"), f.name());
      assertEquals(f.expectedLines().size(), summary.getInteger("rows"), f.name());
      List<String> lines =
          out.getBlobClient(f.name() + ".predictions.jsonl")
              .downloadContent()
              .toString()
              .lines()
              .toList();
      assertEquals(f.expectedLines().size(), lines.size(), f.name());
      for (int r = 0; r < lines.size(); r++) {
        String expected = f.expectedLines().get(r);
        JsonObject line = new JsonObject(lines.get(r));
        assertEquals(f.name(), line.getString("file"), lines.get(r));
        assertEquals(r + 1, line.getInteger("row"), lines.get(r));
        assertEquals(
            expected,
            line.containsKey("error") ? ERROR : String.valueOf(line.getInteger("prediction")),
            f.name() + " line " + r + ": " + lines.get(r));
      }
    }
    assertEquals(Map.of("good", 179, "under", 10, "over", 10, "poison", 1), kinds);
  }

  private static List<String> names(BlobContainerClient c, String prefix) {
    return c.listBlobs(new ListBlobsOptions().setPrefix(prefix), null).stream()
        .map(BlobItem::getName)
        .toList();
  }

  private static List<String> summaries(BlobContainerClient out) {
    return names(out, RUN + "/").stream().filter(n -> n.endsWith(".summary.json")).toList();
  }

  private static List<String> poisonRecords(BlobContainerClient poison) {
    return names(poison, "batchScoring/").stream()
        .filter(n -> n.contains("/batch-input/" + RUN + "/"))
        .toList();
  }

  private static Map<String, String> etags(BlobContainerClient out) {
    Map<String, String> etags = new HashMap<>();
    out.listBlobs(new ListBlobsOptions().setPrefix(RUN + "/"), null)
        .forEach(b -> etags.put(b.getName(), b.getProperties().getETag()));
    return etags;
  }

  private static void await(BooleanSupplier condition, String what) {
    Waits.until(condition, Duration.ofMinutes(3), what);
  }
}
