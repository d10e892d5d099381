package dev.veil.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plain Kafka clients for tests: write records to the shared broker and read a whole topic back.
 */
public final class KafkaRecords {
  private KafkaRecords() {}

  /** A producer of string records on the shared broker (acks=all). */
  public static KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** Sends the records and waits until the broker has them all. */
  public static void send(List<ProducerRecord<String, String>> records) {
    try (KafkaProducer<String, String> producer = producer()) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (ProducerRecord<String, String> r : records) {
        acks.add(producer.send(r));
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("sending to Kafka failed", e.getCause());
    }
  }

  /**
   * Reads {@code topic} from the beginning (all partitions, no consumer group) until at least
   * {@code atLeast} records arrived or {@code timeout} passed, then a little longer so that extra
   * records (duplicates) show too.
   */
  public static List<ConsumerRecord<String, String>> read(
      String topic, int atLeast, Duration timeout) {
    return read(topic, r -> true, atLeast, timeout);
  }

  /**
   * As {@link #read(String, int, Duration)}, keeping (and counting) only the records {@code filter}
   * accepts.
   */
  public static List<ConsumerRecord<String, String>> read(
      String topic,
      java.util.function.Predicate<ConsumerRecord<String, String>> filter,
      int atLeast,
      Duration timeout) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrap());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && System.nanoTime() < deadline) {
        partitions =
            consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .collect(Collectors.toList());
        if (partitions.isEmpty()) {
          ChildProcess.sleep(100);
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long settle = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, settle)) {
        consumer
            .poll(Duration.ofMillis(100))
            .forEach(
                r -> {
                  if (filter.test(r)) {
                    out.add(r);
                  }
                });
        if (out.size() >= atLeast && settle == Long.MAX_VALUE) {
          settle = System.nanoTime() + Duration.ofMillis(500).toNanos();
        }
      }
    }
    return out;
  }
}
