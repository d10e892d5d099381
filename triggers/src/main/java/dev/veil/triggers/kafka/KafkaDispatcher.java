package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.Invoker;
import dev.veil.triggers.kafka.KafkaEvent.TopicPartitionId;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a consumer's records to a function, at least once.
 *
 * <p>One cycle: poll, hand each partition's records to the function in offset order (one record per
 * call for cardinality ONE, up to {@code maxBatchSize} for MANY; partitions run side by side), then
 * commit, per partition, the offset after the last record that either succeeded or went to the
 * dead-letter topic. The next poll starts only after that commit, so a record is never committed
 * before it was handled, and a rebalance never takes a partition away while its records are in
 * flight.
 *
 * <p>Failures: when the invoker is over capacity the consumer is paused and the record waits; after
 * the function's retries are spent (or the payload does not fit) the record goes to {@code
 * <topic>.deadletter} with {@code veil-error} and {@code veil-attempts} headers.
 */
final class KafkaDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaDispatcher.class);
  static final String ERROR_HEADER = "veil-error";
  static final String ATTEMPTS_HEADER = "veil-attempts";
  static final String SOURCE_HEADER = "veil-source";
  static final String FUNCTION_HEADER = "veil-function";
  private static final long BUSY_BACKOFF_MS = 20;
  private static final long ERROR_BACKOFF_MS = 1000;

  private final Vertx vertx;
  private final EventLog log;
  private final EventWriter deadLetters;
  private final Invoker invoker;
  private final FunctionDefinition function;
  private final KafkaBinding binding;
  private final Promise<Void> stopped = Promise.promise();
  private volatile boolean stopping;
  private boolean paused;

  KafkaDispatcher(
      Vertx vertx,
      EventLog log,
      EventWriter deadLetters,
      Invoker invoker,
      FunctionDefinition function,
      KafkaBinding binding) {
    this.vertx = vertx;
    this.log = log;
    this.deadLetters = deadLetters;
    this.invoker = invoker;
    this.function = function;
    this.binding = binding;
  }

  void start() {
    vertx.runOnContext(x -> cycle());
  }

  /**
   * Stops after the current cycle: its records are finished and committed, then the consumer
   * closes.
   */
  Future<Void> stop() {
    stopping = true;
    return stopped.future();
  }

  private void cycle() {
    if (stopping) {
      log.close().onComplete(ar -> stopped.tryComplete());
      return;
    }
    // A full invoker pauses fetching; polls go on so the group keeps this member. Whatever a poll
    // still
    // returns (a partition assigned while paused is not paused) is delivered, never dropped.
    boolean full = !invoker.hasCapacity();
    Future<Void> intake =
        full == paused ? Future.succeededFuture() : full ? log.pause() : log.resume();
    paused = full;
    intake
        .compose(x -> log.poll())
        .compose(this::deliver)
        .compose(log::commit)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.warn(
                    "Kafka trigger of {}: {}; records after the last commit will be delivered again",
                    function.name(),
                    ar.cause().toString());
                vertx.setTimer(ERROR_BACKOFF_MS, t -> cycle());
              } else {
                cycle();
              }
            });
  }

  /** Delivers one poll's records; the result is the offset to commit per partition. */
  private Future<Map<TopicPartitionId, Long>> deliver(List<KafkaEvent> events) {
    Map<TopicPartitionId, List<KafkaEvent>> byPartition = new LinkedHashMap<>();
    for (KafkaEvent e : events) {
      byPartition.computeIfAbsent(e.partitionId(), k -> new ArrayList<>()).add(e);
    }
    Map<TopicPartitionId, Long> next = new ConcurrentHashMap<>(); // completed from invoker threads
    List<Future<Void>> partitions = new ArrayList<>();
    byPartition.forEach((tp, records) -> partitions.add(deliverInOrder(records, 0, tp, next)));
    // join, not all: a partition that stopped early still commits what it finished.
    return Future.join(partitions).transform(ar -> Future.succeededFuture(next));
  }

  private Future<Void> deliverInOrder(
      List<KafkaEvent> records, int from, TopicPartitionId tp, Map<TopicPartitionId, Long> next) {
    if (from >= records.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(records.size(), from + binding.unitSize());
    List<KafkaEvent> unit = records.subList(from, to);
    return handle(unit)
        .compose(
            x -> {
              next.put(tp, unit.get(unit.size() - 1).offset() + 1);
              return deliverInOrder(records, to, tp, next);
            });
  }

  /**
   * Succeeds once the unit was handled: the function succeeded or the records were dead-lettered.
   */
  private Future<Void> handle(List<KafkaEvent> unit) {
    if (stopping) {
      return Future.failedFuture("stopping");
    }
    Invocation invocation = binding.invocation(function.name(), unit);
    return invoker
        .invoke(invocation)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                return Future.succeededFuture();
              }
              InvocationFailure failure =
                  ar.cause() instanceof InvocationFailure f
                      ? f
                      : new InvocationFailure(
                          InvocationFailure.Kind.FUNCTION_ERROR,
                          invocation.id(),
                          String.valueOf(ar.cause().getMessage()),
                          ar.cause());
              return switch (failure.kind()) {
                // Nothing ran: try the same records again (in order) until it does or this trigger
                // stops.
                case OVER_CAPACITY, NOT_FOUND, SHUTTING_DOWN ->
                    vertx.timer(BUSY_BACKOFF_MS).compose(t -> handle(unit));
                case BAD_INPUT, TIMEOUT, FUNCTION_ERROR ->
                    deadLetter(unit, failure, attempts(failure));
              };
            });
  }

  private int attempts(InvocationFailure failure) {
    boolean retried =
        failure.kind() != InvocationFailure.Kind.BAD_INPUT && function.retry().maxRetryCount() > 0;
    return retried ? function.retry().maxRetryCount() + 1 : 1;
  }

  private Future<Void> deadLetter(List<KafkaEvent> unit, InvocationFailure failure, int attempts) {
    String topic = unit.get(0).topic() + ".deadletter";
    LOG.warn(
        "{} record(s) of {} go to {} after {} attempt(s): {}",
        unit.size(),
        unit.get(0).partitionId(),
        topic,
        attempts,
        failure.getMessage());
    List<Future<Void>> writes = new ArrayList<>();
    for (KafkaEvent e : unit) {
      List<Map.Entry<String, byte[]>> headers = new ArrayList<>(e.headers());
      headers.add(header(ERROR_HEADER, failure.kind() + ": " + failure.getMessage()));
      headers.add(header(ATTEMPTS_HEADER, Integer.toString(attempts)));
      headers.add(header(SOURCE_HEADER, e.partitionId() + "@" + e.offset()));
      headers.add(header(FUNCTION_HEADER, function.name()));
      writes.add(writeUntilDone(topic, e, headers));
    }
    return Future.all(writes).mapEmpty();
  }

  /**
   * A dead letter must land before its offset is committed; a failed write is tried again until it
   * does.
   */
  private Future<Void> writeUntilDone(
      String topic, KafkaEvent e, List<Map.Entry<String, byte[]>> headers) {
    return deadLetters
        .send(topic, e.key(), e.value(), headers)
        .recover(
            err -> {
              if (stopping) {
                return Future.failedFuture(err);
              }
              LOG.warn(
                  "writing a dead letter to {} failed ({}); trying again", topic, err.toString());
              return vertx.timer(ERROR_BACKOFF_MS).compose(t -> writeUntilDone(topic, e, headers));
            });
  }

  private static Map.Entry<String, byte[]> header(String name, String value) {
    return new AbstractMap.SimpleImmutableEntry<>(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
