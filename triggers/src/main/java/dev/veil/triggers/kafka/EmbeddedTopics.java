package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.HostContext;
import dev.veil.triggers.kafka.KafkaEvent.TopicPartitionId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process queue used when no broker is configured, so a function with a Kafka trigger runs
 * on a bare machine. Same delivery rules as the broker path (the trigger code is the same): each
 * topic is one partition, consumer groups keep committed offsets, a restarted consumer resumes from
 * the last commit. Records live only as long as the JVM; records every group has committed are
 * dropped, and a topic holding {@link #CAPACITY} unconsumed records refuses writes instead of
 * growing without bound.
 */
final class EmbeddedTopics implements EventWriter {
  static final int CAPACITY = 100_000;
  private static final int MAX_POLL = 500;

  private final Map<String, Topic> topics = new HashMap<>();

  /**
   * The host's queue, which its Kafka triggers and outputs share; two hosts in one JVM have one
   * each.
   */
  static EmbeddedTopics of(HostContext host) {
    return host.shared(EmbeddedTopics.class, EmbeddedTopics::new);
  }

  private static final class Topic {
    final List<KafkaEvent> records = new ArrayList<>();
    long base; // offset of records.get(0)
    final Map<String, Long> committed = new HashMap<>();

    long end() {
      return base + records.size();
    }

    void trim() {
      long lowest = committed.values().stream().mapToLong(Long::longValue).min().orElse(base);
      int drop = (int) Math.max(0, Math.min(lowest - base, records.size()));
      records.subList(0, drop).clear();
      base += drop;
    }
  }

  private synchronized Topic topic(String name) {
    return topics.computeIfAbsent(name, n -> new Topic());
  }

  @Override
  public Future<Void> send(
      String topic, byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers) {
    Topic t = topic(topic);
    synchronized (this) {
      if (t.records.size() >= CAPACITY) {
        return Future.failedFuture(
            new IllegalStateException(
                "embedded topic '"
                    + topic
                    + "' holds "
                    + CAPACITY
                    + " unconsumed records; configure a Kafka broker for this load"));
      }
      t.records.add(
          new KafkaEvent(topic, 0, t.end(), System.currentTimeMillis(), key, value, headers));
    }
    return Future.succeededFuture();
  }

  /** A consumer of {@code topic} in {@code group}, starting after the group's last commit. */
  EventLog subscribe(Vertx vertx, String group, String topic) {
    Topic t = topic(topic);
    synchronized (this) {
      t.committed.putIfAbsent(group, t.base);
      return new Consumer(vertx, t, group, t.committed.get(group), topic);
    }
  }

  private final class Consumer implements EventLog {
    private final Vertx vertx;
    private final Topic topic;
    private final String group;
    private final String name;
    private long position;
    private boolean paused;

    Consumer(Vertx vertx, Topic topic, String group, long position, String name) {
      this.vertx = vertx;
      this.topic = topic;
      this.group = group;
      this.position = position;
      this.name = name;
    }

    @Override
    public Future<List<KafkaEvent>> poll() {
      List<KafkaEvent> out;
      synchronized (EmbeddedTopics.this) {
        position = Math.max(position, topic.base);
        int from = (int) (position - topic.base);
        int to = paused ? from : Math.min(topic.records.size(), from + MAX_POLL);
        out = List.copyOf(topic.records.subList(from, to));
        position += out.size();
      }
      // An empty poll waits a little, as a broker's fetch would, instead of spinning.
      return out.isEmpty() ? vertx.timer(50).map(x -> out) : Future.succeededFuture(out);
    }

    @Override
    public Future<Void> commit(Map<TopicPartitionId, Long> nextOffsets) {
      synchronized (EmbeddedTopics.this) {
        nextOffsets.forEach((tp, next) -> topic.committed.merge(group, next, Math::max));
        topic.trim();
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> pause() {
      paused = true;
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> resume() {
      paused = false;
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }

    @Override
    public String describe() {
      return "embedded in-process queue (topic " + name + ")";
    }
  }
}
