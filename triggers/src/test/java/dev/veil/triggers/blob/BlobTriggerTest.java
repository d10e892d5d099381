package dev.veil.triggers.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob trigger and bindings against Azurite, and on the local-directory default. */
class BlobTriggerTest {
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final JsonObject HOST_JSON =
      new JsonObject()
          .put(
              "extensions",
              new JsonObject()
                  .put(
                      "blobs",
                      new JsonObject()
                          .put("maxPollingInterval", "00:00:00.500")
                          .put("maxDequeueCount", 2)));

  @TempDir Path data;

  private static VeilHost start(Path data, String connection, String in, String out)
      throws Exception {
    HostOptions options =
        new HostOptions()
            .port(0)
            .dataDirectory(data)
            .functionClass(BlobTestFunctions.class)
            .hostJson(HOST_JSON)
            .setting("UpperPath", in + "/{name}.txt")
            .setting("MeasurePath", in + "-large/{name}")
            .setting("OutContainer", out);
    if (connection != null) {
      options.setting("BlobStorage", connection);
    }
    VeilHost host = VeilHost.start(options).toCompletionStage().toCompletableFuture().get();
    assertEquals(java.util.Map.of(), host.disabledFunctions());
    return host;
  }

  private static void stop(VeilHost host) throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void eachBlobVersionIsProcessedOnceAcrossRestartsAndPoisonBlobsAreRecorded() throws Exception {
    String in = "in-" + RUN;
    String out = "out-" + RUN;
    BlobServiceClient azure =
        new BlobServiceClientBuilder()
            .connectionString(Azurite.connectionString())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
    BlobContainerClient input = azure.createBlobContainerIfNotExists(in);
    BlobContainerClient output = azure.getBlobContainerClient(out);
    for (int i = 0; i < 20; i++) {
      input.getBlobClient("doc" + i + ".txt").upload(BinaryData.fromString("hello " + i), true);
    }
    input.getBlobClient("poison1.txt").upload(BinaryData.fromString("x"), true);
    input
        .getBlobClient("ignored.csv")
        .upload(BinaryData.fromString("does not match the path"), true);

    VeilHost host = start(data, Azurite.connectionString(), in, out);
    await(() -> names(output, "").size() >= 20, "20 outputs");
    for (int i = 0; i < 20; i++) {
      assertEquals(
          "HELLO " + i, output.getBlobClient("doc" + i + ".upper").downloadContent().toString());
    }
    BlobContainerClient poison = azure.getBlobContainerClient(BlobScanner.POISON_CONTAINER);
    await(
        () ->
            poison.exists()
                && names(poison, "upperCase/").stream().anyMatch(n -> n.contains("poison1.txt")),
        "a poison record for poison1.txt");
    String record =
        poison
            .getBlobClient(
                names(poison, "upperCase/").stream()
                    .filter(n -> n.contains("/" + in + "/poison1.txt"))
                    .findFirst()
                    .orElseThrow())
            .downloadContent()
            .toString();
    JsonObject poisonRecord = new JsonObject(record);
    assertEquals("poison1.txt", poisonRecord.getString("blob"));
    assertEquals(2, poisonRecord.getInteger("attempts"));
    assertTrue(poisonRecord.getString("reason").contains("cannot be processed"), record);
    assertEquals(2, BlobTestFunctions.calls("poison1"), "maxDequeueCount attempts, then poison");
    MeterRegistry meters = host.scope().meterRegistry();
    assertEquals(
        1.0, meters.get("veil.blob.poison").tag("function", "upperCase").counter().count());
    assertTrue(meters.get("veil.blob.receipts").tag("container", in).gauge().value() >= 21);
    stop(host);
    assertTrue(meters.find("veil.blob.receipts").meters().isEmpty(), "removed when stopped");

    // While the host is down: one new blob, one changed blob.
    input.getBlobClient("doc20.txt").upload(BinaryData.fromString("hello 20"), true);
    input.getBlobClient("doc3.txt").upload(BinaryData.fromString("changed"), true);
    host = start(data, Azurite.connectionString(), in, out);
    await(
        () ->
            output.getBlobClient("doc20.upper").exists()
                && output
                    .getBlobClient("doc3.upper")
                    .downloadContent()
                    .toString()
                    .equals("CHANGED"),
        "new and changed blob");
    // One more idle scan: anything still unreceipted would be picked up by now.
    Thread.sleep(1500);
    stop(host);
    for (int i = 0; i <= 20; i++) {
      assertEquals(i == 3 ? 2 : 1, BlobTestFunctions.calls("doc" + i), "calls for doc" + i);
    }
    assertEquals(
        2, BlobTestFunctions.calls("poison1"), "a poison blob is not retried after a restart");
    assertEquals(0, BlobTestFunctions.calls("ignored"));
  }

  @Test
  void streamsLargeBlobsAndReadsInputBindings() throws Exception {
    String in = "stream-" + RUN;
    String out = "sizes-" + RUN;
    BlobServiceClient azure =
        new BlobServiceClientBuilder()
            .connectionString(Azurite.connectionString())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
    azure
        .createBlobContainerIfNotExists(out)
        .getBlobClient("label.txt")
        .upload(BinaryData.fromString("big"), true);
    byte[] large = new byte[24 * 1024 * 1024 + 7];
    azure
        .createBlobContainerIfNotExists(in + "-large")
        .getBlobClient("blob.bin")
        .upload(BinaryData.fromBytes(large), true);
    VeilHost host = start(data, Azurite.connectionString(), in, out);
    BlobContainerClient output = azure.getBlobContainerClient(out);
    await(() -> output.getBlobClient("blob.bin.size").exists(), "the size record");
    stop(host);
    assertEquals(
        "big:blob.bin:" + large.length,
        output.getBlobClient("blob.bin.size").downloadContent().toString());
  }

  @Test
  void withoutAConnectionTheLocalDirectoryIsTheStore() throws Exception {
    Path inDir = data.resolve("blobs").resolve("local-in");
    Files.createDirectories(inDir.resolve("sub"));
    Files.writeString(inDir.resolve("sub/a.txt"), "local blob");
    VeilHost host = start(data, null, "local-in", "local-out");
    Path result = data.resolve("blobs").resolve("local-out").resolve("sub/a.upper");
    await(() -> Files.exists(result), "the output file");
    double lastScan =
        host.scope()
            .meterRegistry()
            .get("veil.blob.last.scan")
            .tag("container", "local-in")
            .gauge()
            .value();
    assertTrue(Math.abs(lastScan - Instant.now().getEpochSecond()) < 60, "last scan " + lastScan);
    stop(host);
    assertEquals("LOCAL BLOB", Files.readString(result));
    assertTrue(
        Files.list(data.resolve("blobs").resolve(BlobScanner.RECEIPTS_CONTAINER))
            .findAny()
            .isPresent(),
        "receipts are kept in the store itself");
  }

  @Test
  void twoHostsInOneJvmOwnTheirStores() throws Exception {
    // Each host opens and closes its own stores: stopping one must leave the other's trigger and
    // bindings working.
    BlobServiceClient azure =
        new BlobServiceClientBuilder()
            .connectionString(Azurite.connectionString())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
    VeilHost first =
        start(
            data.resolve("first"), Azurite.connectionString(), "first-" + RUN, "first-out-" + RUN);
    VeilHost second =
        start(
            data.resolve("second"),
            Azurite.connectionString(),
            "second-" + RUN,
            "second-out-" + RUN);
    azure
        .createBlobContainerIfNotExists("first-" + RUN)
        .getBlobClient("one-first.txt")
        .upload(BinaryData.fromString("first"), true);
    BlobContainerClient firstOut = azure.getBlobContainerClient("first-out-" + RUN);
    await(
        () -> firstOut.exists() && firstOut.getBlobClient("one-first.upper").exists(),
        "the first host's output");
    stop(first);

    BlobContainerClient secondIn = azure.createBlobContainerIfNotExists("second-" + RUN);
    secondIn.getBlobClient("one-second.txt").upload(BinaryData.fromString("second"), true);
    BlobContainerClient secondOut = azure.getBlobContainerClient("second-out-" + RUN);
    secondOut.createIfNotExists();
    secondOut.getBlobClient("label.txt").upload(BinaryData.fromString("still"), true);
    azure
        .createBlobContainerIfNotExists("second-" + RUN + "-large")
        .getBlobClient("tail.bin")
        .upload(BinaryData.fromBytes(new byte[3]), true);
    await(
        () ->
            secondOut.getBlobClient("one-second.upper").exists()
                && secondOut.getBlobClient("tail.bin.size").exists(),
        "the second host's trigger, input and output after the first host stopped");
    stop(second);
    assertEquals(
        "SECOND", secondOut.getBlobClient("one-second.upper").downloadContent().toString());
    assertEquals(
        "still:tail.bin:3", secondOut.getBlobClient("tail.bin.size").downloadContent().toString());
  }

  private static List<String> names(BlobContainerClient container, String prefix) {
    if (!container.exists()) {
      return List.of();
    }
    return container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null).stream()
        .map(BlobItem::getName)
        .collect(Collectors.toList());
  }

  static void await(BooleanSupplier condition, String what) {
    Waits.until(condition, Duration.ofSeconds(90), what);
  }
}
