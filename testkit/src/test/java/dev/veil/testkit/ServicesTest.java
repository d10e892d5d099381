package dev.veil.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesTest {

  @Test
  void kafkaBrokerStoresAndServesRecords() throws Exception {
    String bootstrap = KafkaBroker.bootstrap();
    KafkaBroker.createTopic("testkit-smoke", 2);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("testkit-smoke", "k", "hello")).get();
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "testkit-smoke");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("testkit-smoke"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        if (!records.isEmpty()) {
          assertEquals("hello", records.iterator().next().value());
          return;
        }
      }
    }
    throw new AssertionError("the record never came back from the broker");
  }

  @Test
  void azuriteAnswersBlobRequests() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(Azurite.blobEndpoint() + "?comp=list"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    // Unsigned requests are refused with Azure's own error document, which proves a blob service
    // answers.
    assertTrue(
        response.body().contains("<Error>") || response.body().contains("EnumerationResults"),
        response.body());
  }

  @Test
  void childJvmDiesOnSigkill(@TempDir Path dir) {
    ChildProcess child =
        ChildProcess.java(
            "sleeper",
            Sleeper.class.getName(),
            List.of(),
            Map.of(),
            List.of(),
            dir.resolve("sleeper.log"));
    child.awaitLog(line -> line.equals("up"), Duration.ofSeconds(30));
    child.kill();
    assertFalse(child.isAlive());
  }

  /** A child that says it is up and then waits to be killed. */
  public static final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("up");
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
