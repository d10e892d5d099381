package dev.veil.triggers.kafka;

import dev.veil.triggers.kafka.KafkaEvent.TopicPartitionId;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer-group member on a real broker, through the Vert.x Kafka client in poll mode: records
 * are fetched only when the trigger asks, so nothing is fetched while earlier records are still in
 * flight and a rebalance (which happens inside a poll) never revokes a partition with records in
 * flight.
 */
final class BrokerEventLog implements EventLog {
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String bootstrap;
  private final KafkaLagMeters lag;
  private final Promise<Void> joined = Promise.promise();

  private BrokerEventLog(
      KafkaConsumer<byte[], byte[]> consumer, String bootstrap, KafkaLagMeters lag) {
    this.consumer = consumer;
    this.bootstrap = bootstrap;
    this.lag = lag;
  }

  /**
   * Joins {@code group} and subscribes to {@code topic}; offsets are committed only by {@link
   * #commit}.
   */
  static Future<EventLog> subscribe(
      Vertx vertx,
      String bootstrap,
      String group,
      String topic,
      Map<String, String> extraConfig,
      MeterRegistry registry,
      String function) {
    Map<String, String> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
    config.putAll(extraConfig);
    KafkaConsumer<byte[], byte[]> consumer =
        KafkaConsumer.create(
            vertx, config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    KafkaLagMeters lag =
        new KafkaLagMeters(vertx, () -> consumer.unwrap().metrics(), registry, function, group);
    BrokerEventLog log = new BrokerEventLog(consumer, bootstrap, lag);
    // The first assignment (made inside a poll) is when this member has joined its group.
    consumer.partitionsAssignedHandler(partitions -> log.joined.tryComplete());
    return consumer
        .subscribe(topic)
        .map(
            v -> {
              lag.start();
              return log;
            });
  }

  @Override
  public Future<Void> joined() {
    return joined.future();
  }

  @Override
  public Future<List<KafkaEvent>> poll() {
    return consumer
        .poll(POLL_TIMEOUT)
        .map(
            batch -> {
              List<KafkaEvent> events = new ArrayList<>(batch.size());
              for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
                List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
                for (Header h : r.headers()) {
                  headers.add(new AbstractMap.SimpleImmutableEntry<>(h.key(), h.value()));
                }
                events.add(
                    new KafkaEvent(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        r.timestamp(),
                        r.key(),
                        r.value(),
                        headers));
              }
              return events;
            });
  }

  @Override
  public Future<Void> commit(Map<TopicPartitionId, Long> nextOffsets) {
    if (nextOffsets.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    nextOffsets.forEach(
        (tp, next) ->
            offsets.put(
                new TopicPartition(tp.topic(), tp.partition()), new OffsetAndMetadata(next, "")));
    return consumer.commit(offsets).mapEmpty();
  }

  @Override
  public Future<Void> pause() {
    return consumer.assignment().compose(consumer::pause);
  }

  @Override
  public Future<Void> resume() {
    return consumer.paused().compose(consumer::resume);
  }

  @Override
  public Future<Void> close() {
    lag.stop();
    return consumer.close();
  }

  @Override
  public String describe() {
    return "Kafka broker " + bootstrap;
  }
}
