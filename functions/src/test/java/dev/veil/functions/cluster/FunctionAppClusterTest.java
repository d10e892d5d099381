package dev.veil.functions.cluster;

import static dev.veil.functions.cluster.FunctionAppHosts.cachedKeys;
import static dev.veil.functions.cluster.FunctionAppHosts.postEncrypted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.veil.functions.batch.RowScorer;
import dev.veil.functions.cluster.FunctionAppHosts.Host;
import dev.veil.functions.cluster.MnistTenants.Tenant;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.KafkaBroker;
import dev.veil.testkit.KafkaRecords;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's process test with the real functions: three {@code veil start --cluster} JVMs on
 * loopback serve encrypted MNIST (key bundles in Azurite), queue scoring (all hosts in one consumer
 * group of a real Kafka broker) and batch scoring (blob trigger on Azurite) as one function app;
 * one host is SIGKILLed mid-stream.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FunctionAppClusterTest {
  private static final String REQUESTS_TOPIC = "scoring-requests";
  private static final String PREDICTIONS_TOPIC = "scoring-predictions";
  private static final String CONSUMER_GROUP = "veil-queue-scoring";
  private static final int KEY_IDS = 20;
  private static final RowScorer SCORER = new RowScorer(RowScorer.Model.MNIST);

  @TempDir static Path dir;
  private static FunctionAppHosts app;
  private static List<Host> hosts;
  private static MnistTenants tenants;
  private static double[][] digits;

  @BeforeAll
  static void startApp() throws Exception {
    CompletableFuture<MnistTenants> keys =
        CompletableFuture.supplyAsync(() -> new MnistTenants("tenant", KEY_IDS));
    String brokers = KafkaBroker.bootstrap();
    try {
      KafkaBroker.createTopic(REQUESTS_TOPIC, 3); // one partition per host
    } catch (IllegalStateException alreadyThere) {
      // an earlier test class on the same broker created it
    }
    // C1 only: the hosts start faster, and their heavy work (CKKS) is native code anyway
    app =
        new FunctionAppHosts(
                dir,
                new JsonObject().put("replayHttp", true).put("failureDetectionSeconds", 6),
                brokers,
                List.of("-XX:TieredStopAtLevel=1"))
            .start(3);
    hosts = app.hosts;
    tenants = keys.join().upload(app.storage());
    digits = MnistDigits.testSplit().images();
  }

  @AfterAll
  static void stopApp() {
    if (tenants != null) tenants.close();
    if (app != null) app.close();
  }

  @Test
  @Order(1)
  void twoHundredEncryptedRequestsOverTwentyKeyIdsDownloadEachBundleOnce() throws Exception {
    for (int i = 0; i < 200; i++) {
      Tenant t = tenants.get(i);
      HttpResponse<byte[]> r = postEncrypted(hosts.get(i % 3), t.keyId(), t.ciphertext());
      assertEquals(200, r.statusCode(), () -> new String(r.body()));
      if (i % 7 == 0)
        assertTrue(
            t.answerMatches(r.body()),
            "decrypted argmax equals the plaintext model's for " + t.keyId());
    }
    Map<String, Integer> downloads = app.keyDownloads();
    assertTrue(app.totalKeyDownloads() <= KEY_IDS, "at most one download per key_id: " + downloads);
    assertEquals(KEY_IDS, downloads.size(), "every bundle was downloaded: " + downloads);

    Set<String> seen = new HashSet<>();
    for (Host h : hosts) {
      List<String> cached = cachedKeys(h);
      assertFalse(cached.isEmpty(), h.name() + " owns some key_ids");
      cached.forEach(k -> assertTrue(seen.add(k), k + " is cached on two hosts"));
    }
    assertEquals(KEY_IDS, seen.size(), "the key_ids are spread over the hosts' caches: " + seen);
  }

  @Test
  @Order(2)
  void aHostKilledMidStreamLosesNoRecordNoBlobAndItsKeysMove() throws Exception {
    try (var admin = KafkaBroker.admin(KafkaBroker.bootstrap())) {
      Waits.until(
          () -> groupSize(admin) == 3,
          Duration.ofMinutes(1),
          "all three hosts in consumer group " + CONSUMER_GROUP);
    }
    String run = "run-" + UUID.randomUUID().toString().substring(0, 8);
    BlobContainerClient inputs =
        new BlobServiceClientBuilder()
            .connectionString(app.storage())
            .buildClient()
            .createBlobContainerIfNotExists("batch-input");
    Map<String, String> expectedRecords = new HashMap<>();
    Map<String, Integer> expectedBlobs = new HashMap<>();
    sendRecords(run, 0, 100, expectedRecords);
    dropBlobs(inputs, run, 0, 8, expectedBlobs);

    // The victim is the node listing batch-input (the blob lease holder); it also owns key_ids and
    // is in the group.
    Waits.until(
        () -> app.hostLogging("function=batchScoring") != null,
        Duration.ofMinutes(1),
        "a node to score the first blob");
    Host victim = app.hostLogging("function=batchScoring");
    List<Host> survivors = hosts.stream().filter(h -> h != victim).toList();
    List<String> victimKeys =
        cachedKeys(victim).stream().map(k -> k.substring(k.indexOf('/') + 1)).toList();
    assertFalse(victimKeys.isEmpty(), "the victim owns some key_ids");
    Map<String, Integer> downloadsBefore = app.keyDownloads();

    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      List<Future<Boolean>> calls = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        Tenant t = tenants.get(i);
        Host entry = survivors.get(i % 2); // callers use the surviving hosts' endpoints
        calls.add(
            callers.submit(
                () -> {
                  HttpResponse<byte[]> r = postEncrypted(entry, t.keyId(), t.ciphertext());
                  assertEquals(200, r.statusCode(), () -> t.keyId() + ": " + new String(r.body()));
                  return t.answerMatches(r.body());
                }));
      }
      for (Future<Boolean> call : calls.subList(0, 20)) call.get(2, TimeUnit.MINUTES);
      victim.process().kill(); // SIGKILL while requests, records and blobs are in flight
      sendRecords(run, 100, 200, expectedRecords);
      dropBlobs(inputs, run, 8, 16, expectedBlobs);
      for (Future<Boolean> call : calls)
        assertTrue(call.get(3, TimeUnit.MINUTES), "a decrypted answer disagrees with the model");
    } finally {
      callers.shutdownNow();
    }

    for (String keyId : victimKeys) {
      Tenant t = tenants.byKeyId(keyId);
      HttpResponse<byte[]> r = postEncrypted(survivors.get(0), keyId, t.ciphertext());
      assertEquals(200, r.statusCode(), () -> keyId + ": " + new String(r.body()));
      assertTrue(
          t.answerMatches(r.body()), "decrypted argmax equals the plaintext model's for " + keyId);
    }
    Map<String, Integer> downloadsAfter = app.keyDownloads();
    Set<String> survivorCaches = new HashSet<>();
    for (Host h : survivors) survivorCaches.addAll(cachedKeys(h));
    for (String keyId : victimKeys) {
      assertTrue(
          downloadsAfter.get(keyId) > downloadsBefore.get(keyId),
          keyId + " was fetched again after the kill");
      assertTrue(
          survivorCaches.contains(FunctionAppHosts.KEYS + "/" + keyId),
          keyId + " is now cached by a survivor");
    }

    Map<String, String> predicted = new HashMap<>();
    for (ConsumerRecord<String, String> r :
        KafkaRecords.read(
            PREDICTIONS_TOPIC,
            r -> r.key() != null && r.key().startsWith(run + "-"),
            expectedRecords.size(),
            Duration.ofMinutes(2))) {
      String before =
          predicted.put(r.key(), new JsonObject(r.value()).getValue("prediction").toString());
      assertTrue(
          before == null || before.equals(predicted.get(r.key())),
          "a duplicate of " + r.key() + " disagrees");
    }
    assertEquals(
        expectedRecords, predicted, "every Kafka record scored once or more, keyed like its input");

    BlobContainerClient outputs =
        new BlobServiceClientBuilder()
            .connectionString(app.storage())
            .buildClient()
            .getBlobContainerClient("batch-output");
    Waits.until(
        () ->
            expectedBlobs.keySet().stream()
                .allMatch(name -> outputs.getBlobClient(name + ".predictions.jsonl").exists()),
        Duration.ofMinutes(2),
        "predictions for all " + expectedBlobs.size() + " dropped blobs");
    expectedBlobs.forEach(
        (name, digit) ->
            assertEquals(
                new JsonObject().put("file", name).put("row", 1).put("prediction", digit),
                new JsonObject(
                    outputs
                        .getBlobClient(name + ".predictions.jsonl")
                        .downloadContent()
                        .toString()
                        .strip()),
                name));
  }

  private static int groupSize(org.apache.kafka.clients.admin.Admin admin) {
    try {
      return admin
          .describeConsumerGroups(List.of(CONSUMER_GROUP))
          .all()
          .get(10, TimeUnit.SECONDS)
          .get(CONSUMER_GROUP)
          .members()
          .size();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Records {@code run-i} (one MNIST digit's features each) for i in [from, to). */
  private static void sendRecords(String run, int from, int to, Map<String, String> expected) {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = from; i < to; i++) {
      double[] digit = digits[100 + i];
      String key = run + "-" + i;
      records.add(
          new ProducerRecord<>(
              REQUESTS_TOPIC, key, new JsonObject().put("features", json(digit)).encode()));
      expected.put(key, Integer.toString(SCORER.predict(digit)));
    }
    KafkaRecords.send(records);
  }

  /**
   * JSON-lines files {@code run/d-i.jsonl} with one digit each into batch-input, for i in [from,
   * to).
   */
  private static void dropBlobs(
      BlobContainerClient inputs, String run, int from, int to, Map<String, Integer> expected) {
    MnistLinearModel model = MnistLinearModel.bundled();
    for (int i = from; i < to; i++) {
      double[] digit = digits[500 + i];
      String name = run + "/d-" + i + ".jsonl";
      inputs.getBlobClient(name).upload(BinaryData.fromString(json(digit).encode() + "\n"), true);
      expected.put(name, model.predict(digit));
    }
  }

  private static JsonArray json(double[] values) {
    return new JsonArray(Arrays.stream(values).boxed().toList());
  }
}
