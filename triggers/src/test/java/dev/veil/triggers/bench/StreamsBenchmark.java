package dev.veil.triggers.bench;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import dev.veil.testkit.KafkaBroker;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Not a test: Kafka-trigger throughput (no-op function, cardinality MANY and ONE, and an echo
 * through {@code @KafkaOutput}) against a plain consumer→producer loop on the same broker in the
 * same run, and the blob trigger's upload→output latency for small blobs on Azurite. Run with
 * {@code bench/streams.sh}. Args: records (default 200000), records for ONE (default 20000), blobs
 * (default 100).
 */
public final class StreamsBenchmark {
  private static final int PARTITIONS = 4;
  private static final byte[] VALUE = new byte[100];

  private StreamsBenchmark() {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int recordsOne = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int blobs = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    String run = UUID.randomUUID().toString().substring(0, 8);
    String bootstrap = KafkaBroker.bootstrap();
    Arrays.fill(VALUE, (byte) 'x');
    String many = "bench-many-" + run;
    String one = "bench-one-" + run;
    String echo = "bench-echo-" + run;
    for (String t : List.of(many, one, echo, "bench-plain-out-" + run, echo + ".out")) {
      KafkaBroker.createTopic(t, PARTITIONS);
    }
    fill(bootstrap, many, records);
    fill(bootstrap, one, recordsOne);
    fill(bootstrap, echo, records);

    double plain = plainLoop(bootstrap, many, "bench-plain-out-" + run, records);
    System.out.printf(
        "plain consumer->producer loop: %,.0f records/s (%d records)%n", plain, records);
    double veilMany = trigger("noopMany", many, records, bootstrap);
    System.out.printf(
        "Veil @KafkaTrigger MANY, no-op: %,.0f records/s  ratio %.2f%n",
        veilMany, veilMany / plain);
    double veilEcho = trigger("echoMany", echo, records, bootstrap);
    System.out.printf(
        "Veil @KafkaTrigger MANY + @KafkaOutput echo: %,.0f records/s  ratio %.2f%n",
        veilEcho, veilEcho / plain);
    double veilOne = trigger("noopOne", one, recordsOne, bootstrap);
    System.out.printf(
        "Veil @KafkaTrigger ONE, no-op: %,.0f records/s  ratio %.2f (%d records)%n",
        veilOne, veilOne / plain, recordsOne);
    blobLatency(blobs, run);
    System.exit(0);
  }

  private static void fill(String bootstrap, String topic, int n) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < n; i++) {
        producer.send(new ProducerRecord<>(topic, Integer.toString(i).getBytes(), VALUE));
      }
      producer.flush();
    }
  }

  /**
   * At-least-once by hand: poll, send every record on, flush, commit; timed from the first record
   * to the last.
   */
  private static double plainLoop(String bootstrap, String in, String out, int n) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-plain-" + in);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      consumer.subscribe(List.of(in));
      long seen = 0;
      long first = 0;
      long last = 0;
      while (seen < n) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          continue;
        }
        if (first == 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          producer.send(new ProducerRecord<>(out, r.key(), r.value()));
        }
        producer.flush();
        consumer.commitSync();
        seen += batch.count();
        last = System.nanoTime();
      }
      return seen / ((last - first) / 1e9);
    }
  }

  private static double trigger(String function, String topic, int n, String bootstrap)
      throws Exception {
    BenchFunctions.reset();
    Path data = Files.createTempDirectory("veil-bench-");
    JsonObject hostJson =
        new JsonObject()
            .put(
                "extensions",
                new JsonObject().put("kafka", new JsonObject().put("maxBatchSize", 500)));
    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(BenchFunctions.class)
                    .hostJson(hostJson)
                    .setting("KafkaBrokers", bootstrap)
                    .setting("BenchGroup", "bench-" + function)
                    .setting(
                        function.equals("noopOne")
                            ? "BenchTopicOne"
                            : function.equals("echoMany") ? "BenchTopicEcho" : "BenchTopic",
                        topic)
                    // the other functions of the class wait on topics that stay empty
                    .setting(
                        "BenchTopic",
                        function.equals("noopMany") ? topic : "bench-idle-" + UUID.randomUUID())
                    .setting(
                        "BenchTopicOne",
                        function.equals("noopOne") ? topic : "bench-idle-" + UUID.randomUUID())
                    .setting(
                        "BenchTopicEcho",
                        function.equals("echoMany") ? topic : "bench-idle-" + UUID.randomUUID())
                    .setting("BenchBlobIn", "idle")
                    .setting("BenchBlobOut", "idle"))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    try {
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (BenchFunctions.RECORDS.get() < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (BenchFunctions.RECORDS.get() < n) {
        throw new IllegalStateException(
            function + " saw only " + BenchFunctions.RECORDS.get() + " of " + n);
      }
      return BenchFunctions.RECORDS.get()
          / ((BenchFunctions.lastNanos - BenchFunctions.firstNanos) / 1e9);
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /** Uploads small blobs one at a time and waits for each output: p50/p99 upload→output. */
  private static void blobLatency(int n, String run) throws Exception {
    String in = "bench-in-" + run;
    String out = "bench-out-" + run;
    BlobServiceClient azure =
        new BlobServiceClientBuilder()
            .connectionString(Azurite.connectionString())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
    BlobContainerClient input = azure.createBlobContainerIfNotExists(in);
    BlobContainerClient output = azure.createBlobContainerIfNotExists(out);
    Path data = Files.createTempDirectory("veil-bench-");
    String pollInterval = "00:00:00.250";
    JsonObject hostJson =
        new JsonObject()
            .put(
                "extensions",
                new JsonObject()
                    .put("blobs", new JsonObject().put("maxPollingInterval", pollInterval)));
    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(BenchFunctions.class)
                    .hostJson(hostJson)
                    .setting("BenchStorage", Azurite.connectionString())
                    .setting("BenchBlobIn", in)
                    .setting("BenchBlobOut", out)
                    .setting("KafkaBrokers", "")
                    .setting("BenchTopic", "idle")
                    .setting("BenchTopicOne", "idle")
                    .setting("BenchTopicEcho", "idle")
                    .setting("BenchGroup", "idle"))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    List<Double> millis = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        String name = "blob-" + i + ".txt";
        input.getBlobClient(name).upload(BinaryData.fromString("small blob " + i), true);
        long uploaded = System.nanoTime();
        while (!output.getBlobClient(name).exists()) {
          Thread.sleep(2);
        }
        millis.add((System.nanoTime() - uploaded) / 1e6);
      }
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
    millis.sort(Double::compare);
    System.out.printf(
        "blob trigger upload->output, %d small blobs one at a time (maxPollingInterval %s): "
            + "p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        n,
        pollInterval,
        millis.get(n / 2),
        millis.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)),
        millis.get(n - 1));
  }
}
