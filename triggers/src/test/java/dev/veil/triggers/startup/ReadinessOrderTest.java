package dev.veil.triggers.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener opens before the slow triggers are live: an HTTP function answers while a Kafka
 * consumer is still joining its group, and {@code /health/ready} says 503 until it has joined.
 *
 * <p>No timing is involved: the test holds the consumer group with a member of its own that stops
 * polling, so the host's consumer cannot finish joining (the broker waits for every member to
 * rejoin) until the test polls again.
 */
class ReadinessOrderTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path data;

  @Test
  void httpFunctionsAnswerBeforeTheKafkaConsumerJoinsAndReadinessWaitsForIt() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String topic = "ready-" + run;
    String group = "ready-group-" + run;
    KafkaBroker.createTopic(topic, 1);
    try (KafkaConsumer<String, String> holder = holder(group)) {
      holder.subscribe(java.util.List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (holder.assignment().isEmpty() && System.nanoTime() < deadline)
        holder.poll(Duration.ofMillis(100));
      assertFalse(holder.assignment().isEmpty(), "the test's member holds the group");

      VeilHost host =
          VeilHost.start(
                  new HostOptions()
                      .port(0)
                      .dataDirectory(data)
                      .functionClass(ReadinessFunctions.class)
                      .setting("KafkaBrokers", KafkaBroker.bootstrap())
                      .setting("ReadyTopic", topic)
                      .setting("ReadyGroup", group))
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      try {
        assertEquals(Map.of(), host.disabledFunctions());
        assertEquals(200, get(host, "/api/ping"), "the HTTP function answers");
        assertEquals(
            503, get(host, "/health/ready"), "not ready while the Kafka consumer is joining");
        assertFalse(host.whenReady().isComplete());

        // The test's member rejoins on its next polls; the rebalance then completes with both.
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!host.whenReady().isComplete() && System.nanoTime() < deadline)
          holder.poll(Duration.ofMillis(100));
        assertTrue(host.whenReady().isComplete(), "the host became ready once its consumer joined");
        assertEquals(200, get(host, "/health/ready"));
        assertEquals(200, get(host, "/api/ping"));
      } finally {
        host.close().toCompletionStage().toCompletableFuture().get();
      }
    }
  }

  private static KafkaConsumer<String, String> holder(String group) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KafkaBroker.bootstrap(),
            ConsumerConfig.GROUP_ID_CONFIG,
            group,
            // How long the broker waits for this member to rejoin a rebalance: longer than the
            // test.
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
            "120000"),
        new StringDeserializer(),
        new StringDeserializer());
  }

  private static int get(VeilHost host, String path) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + path)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
