package dev.veil.triggers.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes to a real broker with an idempotent producer shared by everything in the host that uses
 * that broker.
 */
final class BrokerEventWriter implements EventWriter {
  private final KafkaProducer<byte[], byte[]> producer;

  /**
   * {@code security}: client properties from {@link KafkaSecurity} (producers are shared per broker
   * and security).
   */
  BrokerEventWriter(Vertx vertx, String bootstrap, Map<String, String> security) {
    Map<String, String> config = new HashMap<>(security);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    this.producer =
        KafkaProducer.createShared(
            vertx,
            "veil-kafka-" + bootstrap + "-" + security.hashCode(),
            config,
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  @Override
  public Future<Void> send(
      String topic, byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers) {
    KafkaProducerRecord<byte[], byte[]> record = KafkaProducerRecord.create(topic, key, value);
    for (Map.Entry<String, byte[]> h : headers) {
      record.addHeader(h.getKey(), Buffer.buffer(h.getValue()));
    }
    return producer.send(record).mapEmpty();
  }

  /** Releases this user's share of the producer (the last one closes it). */
  Future<Void> close() {
    return producer.close();
  }
}
