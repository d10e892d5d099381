package dev.veil.functions.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.batch.RowScorer;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.KafkaBroker;
import dev.veil.testkit.KafkaRecords;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue scoring over a real Kafka broker: every message scored, keyed like its input, across a host
 * crash.
 */
class QueueScoringTest {
  private static final String IN = "scoring-requests";
  private static final String OUT = "scoring-predictions";
  private static WdbcData wdbc;

  @BeforeAll
  static void topics() {
    wdbc = WdbcData.load();
    try {
      KafkaBroker.createTopic(IN, 3);
    } catch (IllegalStateException alreadyThere) {
      // an earlier test class on the same broker created it
    }
  }

  /**
   * {@code n} messages keyed {@code prefix-i}; every 250th is malformed. Returns the expected
   * output values.
   */
  private static Map<String, String> send(String prefix, int n) {
    RowScorer scorer = new RowScorer(RowScorer.Model.AUTO);
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String key = prefix + "-" + i;
      if (i % 250 == 7) {
        records.add(new ProducerRecord<>(IN, key, "{\"features\": [1, 2, \"x\"]}"));
        expected.put(key, "error");
      } else {
        double[] row = wdbc.features()[i % wdbc.features().length];
        records.add(
            new ProducerRecord<>(
                IN, key, new JsonObject().put("features", new JsonArray(toList(row))).encode()));
        expected.put(key, Integer.toString(scorer.predict(row)));
      }
    }
    KafkaRecords.send(records);
    return expected;
  }

  private static List<Double> toList(double[] row) {
    List<Double> out = new ArrayList<>(row.length);
    for (double v : row) {
      out.add(v);
    }
    return out;
  }

  /**
   * Reads the outputs for {@code prefix}, checks each against {@code expected}; returns the
   * duplicate count.
   */
  private static int verify(String prefix, Map<String, String> expected) {
    List<ConsumerRecord<String, String>> out =
        KafkaRecords.read(
            OUT,
            r -> r.key() != null && r.key().startsWith(prefix + "-"),
            expected.size(),
            Duration.ofMinutes(3));
    Map<String, String> byKey = new HashMap<>();
    for (ConsumerRecord<String, String> r : out) {
      JsonObject value = new JsonObject(r.value());
      String got =
          value.containsKey("error") ? "error" : Integer.toString(value.getInteger("prediction"));
      String before = byKey.put(r.key(), got);
      assertTrue(before == null || before.equals(got), "a duplicate of " + r.key() + " disagrees");
    }
    assertEquals(expected.size(), byKey.size(), "distinct keys on the output topic");
    assertEquals(expected, byKey, "every message scored with the model, keyed like its input");
    return out.size() - byKey.size();
  }

  @Test
  void tenThousandMessagesGiveTenThousandKeyedPredictions(@TempDir Path data) throws Exception {
    String prefix = "q" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> expected = send(prefix, 10_000);
    VeilHost host =
        VeilHost.start(QueueScoringHost.options(KafkaBroker.bootstrap(), data))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    try {
      int duplicates = verify(prefix, expected);
      System.out.println(
          "queue scoring: 10000 messages, duplicates on the output topic: " + duplicates);
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void aHostKilledMidStreamLosesNothing(@TempDir Path data) {
    String prefix = "k" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> expected = send(prefix, 6_000);
    List<String> args = List.of(KafkaBroker.bootstrap(), data.toString());
    ChildProcess first =
        ChildProcess.java(
            "queue-host-1",
            QueueScoringHost.class.getName(),
            List.of("-Xmx512m"),
            Map.of(),
            args,
            data.resolve("host-1.log"));
    first.awaitLog(l -> l.contains("queue scoring host ready"), Duration.ofMinutes(2));
    // Kill it once it has written part of the stream.
    KafkaRecords.read(
        OUT, r -> r.key() != null && r.key().startsWith(prefix + "-"), 1500, Duration.ofMinutes(2));
    first.kill();
    ChildProcess second =
        ChildProcess.java(
            "queue-host-2",
            QueueScoringHost.class.getName(),
            List.of("-Xmx512m"),
            Map.of(),
            args,
            data.resolve("host-2.log"));
    try {
      second.awaitLog(l -> l.contains("queue scoring host ready"), Duration.ofMinutes(2));
      int duplicates = verify(prefix, expected);
      System.out.println(
          "queue scoring crash: 6000 messages, host SIGKILLed mid-stream, duplicates after restart: "
              + duplicates);
    } finally {
      second.stop(Duration.ofSeconds(30));
    }
  }
}
