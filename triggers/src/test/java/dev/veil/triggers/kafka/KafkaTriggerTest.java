package dev.veil.triggers.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.KafkaBroker;
import dev.veil.testkit.KafkaRecords;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka trigger and output binding against a real KRaft broker, in a real Veil host. */
class KafkaTriggerTest {
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String ORDERED = "ordered-" + RUN;
  private static final String MANY_IN = "many-in-" + RUN;
  private static final String MANY_OUT = "many-out-" + RUN;
  private static final String FAILING = "failing-" + RUN;

  @TempDir static Path data;
  private static VeilHost host;

  @BeforeAll
  static void startHost() throws Exception {
    KafkaBroker.createTopic(ORDERED, 3);
    KafkaBroker.createTopic(MANY_IN, 2);
    KafkaBroker.createTopic(FAILING, 1);
    // Two worker threads and no queue: partitions running side by side keep hitting "over
    // capacity".
    JsonObject hostJson =
        new JsonObject()
            .put("veil", new JsonObject().put("workerPoolSize", 2).put("maxQueuedInvocations", 0))
            .put(
                "extensions",
                new JsonObject().put("kafka", new JsonObject().put("maxBatchSize", 50)));
    host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(KafkaTestFunctions.class)
                    .hostJson(hostJson)
                    .setting("KafkaBrokers", KafkaBroker.bootstrap())
                    .setting("OrderedTopic", ORDERED)
                    .setting("ManyIn", MANY_IN)
                    .setting("ManyOut", MANY_OUT)
                    .setting("FailingTopic", FAILING))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    assertEquals(Map.of(), host.disabledFunctions());
  }

  @AfterAll
  static void stopHost() throws Exception {
    if (host != null) {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void cardinalityOneKeepsOrderPerPartitionAndLosesNothingWhenTheHostIsFull() {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String key = "k" + (i % 12);
      records.add(new ProducerRecord<>(ORDERED, key, Integer.toString(i)));
    }
    KafkaRecords.send(records);
    List<String> seen = KafkaTestFunctions.seen("ordered");
    await(() -> seen.size() >= 600, "all 600 records delivered");

    Map<Integer, Long> lastOffset = new HashMap<>();
    Map<String, Integer> lastValueByKey = new HashMap<>();
    Set<String> values = new TreeSet<>();
    for (String line : seen) {
      String[] f = line.split(":");
      int partition = Integer.parseInt(f[0]);
      long offset = Long.parseLong(f[1]);
      int value = Integer.parseInt(f[3]);
      Long before = lastOffset.put(partition, offset);
      assertTrue(
          before == null || offset > before,
          "partition " + partition + " went from " + before + " to " + offset);
      Integer previous = lastValueByKey.put(f[2], value);
      assertTrue(
          previous == null || value > previous,
          "key " + f[2] + " saw " + value + " after " + previous);
      values.add(f[3]);
    }
    assertEquals(600, values.size(), "distinct values");
    assertEquals(3, lastOffset.size(), "records came from all three partitions");
    awaitCommitted("veil-ordered", ORDERED, 600);
    // the consumer's lag per partition on the host's meters, nothing left to fetch
    await(
        () -> {
          var lag =
              host.scope().meterRegistry().find("veil.kafka.lag").tag("topic", ORDERED).gauges();
          return lag.size() == 3
              && lag.stream()
                  .allMatch(
                      g ->
                          g.value() == 0
                              && "veil-ordered".equals(g.getId().getTag("group"))
                              && "ordered".equals(g.getId().getTag("function")));
        },
        "veil.kafka.lag at 0 for the three partitions");
  }

  @Test
  void cardinalityManyWritesEveryRecordToTheOutputTopic() {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      records.add(new ProducerRecord<>(MANY_IN, "k" + i, "value-" + i));
    }
    KafkaRecords.send(records);
    List<ConsumerRecord<String, String>> out =
        KafkaRecords.read(MANY_OUT, 500, Duration.ofSeconds(60));
    Set<String> values = new TreeSet<>();
    out.forEach(r -> values.add(r.value()));
    assertEquals(500, values.size());
    assertTrue(values.contains("VALUE-499"), "values are upper-cased by the function");
    int largestBatch =
        KafkaTestFunctions.seen("echoMany").stream().mapToInt(Integer::parseInt).max().orElse(0);
    assertTrue(
        largestBatch > 1 && largestBatch <= 50,
        "batches of 2..50 records, largest " + largestBatch);
    awaitCommitted("veil-many", MANY_IN, 500);
  }

  @Test
  void recordsThatAlwaysFailGoToTheDeadLetterTopicWithErrorAndAttempts() {
    List<ProducerRecord<String, String>> records = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      records.add(new ProducerRecord<>(FAILING, "key" + i, (i % 3 == 0 ? "bad-" : "good-") + i));
    }
    KafkaRecords.send(records);
    List<ConsumerRecord<String, String>> dead =
        KafkaRecords.read(FAILING + ".deadletter", 4, Duration.ofSeconds(60));
    assertEquals(4, dead.size(), "bad-0, bad-3, bad-6, bad-9");
    for (ConsumerRecord<String, String> r : dead) {
      assertTrue(r.value().startsWith("bad-"), r.value());
      assertEquals("key" + r.value().substring(4), r.key(), "the key travels with the dead letter");
      assertEquals("3", header(r, KafkaDispatcher.ATTEMPTS_HEADER), "1 call + 2 retries");
      assertTrue(
          header(r, KafkaDispatcher.ERROR_HEADER).contains("cannot handle " + r.value()),
          header(r, KafkaDispatcher.ERROR_HEADER));
    }
    assertEquals(
        12, KafkaTestFunctions.seen("failing-attempts").size(), "4 bad records x 3 attempts");
    await(() -> KafkaTestFunctions.seen("failing").size() == 6, "the 6 good records");
    awaitCommitted("veil-failing", FAILING, 10);
  }

  private static String header(ConsumerRecord<String, String> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** Waits until the group has committed {@code total} offsets over the topic's partitions. */
  private static void awaitCommitted(String group, String topic, long total) {
    try (Admin admin = KafkaBroker.admin(KafkaBroker.bootstrap())) {
      await(
          () -> {
            try {
              Map<TopicPartition, OffsetAndMetadata> offsets =
                  admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
              return offsets.entrySet().stream()
                      .filter(e -> e.getKey().topic().equals(topic))
                      .mapToLong(e -> e.getValue().offset())
                      .sum()
                  == total;
            } catch (Exception e) {
              return false;
            }
          },
          "group " + group + " committed " + total + " records of " + topic);
    }
  }

  static void await(BooleanSupplier condition, String what) {
    Waits.until(condition, Duration.ofSeconds(90), what);
  }
}
