package dev.veil.triggers.kafka;

import dev.veil.triggers.kafka.KafkaEvent.TopicPartitionId;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * What the trigger needs from a topic: a consumer in a group that polls, commits, and can pause
 * intake. Backed by a real broker ({@link BrokerEventLog}) or by the in-process queue ({@link
 * EmbeddedTopics}).
 */
interface EventLog {

  /** The next records of the assigned partitions; empty after a short wait when there are none. */
  Future<List<KafkaEvent>> poll();

  /** Commits, per partition, the offset of the next record to read. */
  Future<Void> commit(Map<TopicPartitionId, Long> nextOffsets);

  /** Stops fetching from every assigned partition; {@link #poll()} then returns nothing. */
  Future<Void> pause();

  Future<Void> resume();

  Future<Void> close();

  /** Completes once this member has joined its group and been given its partitions. */
  default Future<Void> joined() {
    return Future.succeededFuture();
  }

  /** "broker 127.0.0.1:9092" or "embedded in-process queue", for logs and /admin/functions. */
  String describe();
}
