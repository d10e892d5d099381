package dev.veil.triggers.queue;

import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.Invoker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one queue for one function, as the Azure host does: fetch up to {@code batchSize} messages,
 * call the function for each in parallel, fetch the next batch once no more than {@code
 * newBatchThreshold} are still in flight; when the queue is empty, wait from 100 ms doubling up to
 * {@code maxPollingInterval}. A message is deleted after its call succeeded; after a failure it
 * becomes visible again after {@code visibilityTimeout}, and once it has been received {@code
 * maxDequeueCount} times (or at once when it does not fit the parameter) it moves to {@code
 * <queue>-poison}. State lives on one event loop; queue calls run on worker threads.
 */
final class QueueListener {
  private static final Logger LOG = LoggerFactory.getLogger(QueueListener.class);
  private static final long MIN_DELAY_MS = 100;
  private static final long CAPACITY_WAIT_MS = 20;

  private final Vertx vertx;
  private final QueueService service;
  private final String queue;
  private final FunctionDefinition function;
  private final Invoker invoker;
  private final QueueOptions options;
  private final Promise<Void> stopped = Promise.promise();
  private boolean stopping;
  private boolean fetching;
  private int inFlight;
  private long delay = MIN_DELAY_MS;
  private long pollTimer = -1;

  QueueListener(
      Vertx vertx,
      QueueService service,
      String queue,
      FunctionDefinition function,
      Invoker invoker,
      QueueOptions options) {
    this.vertx = vertx;
    this.service = service;
    this.queue = queue;
    this.function = function;
    this.invoker = invoker;
    this.options = options;
  }

  Future<Void> start() {
    return blocking(
            () -> {
              service.create(queue);
              return null;
            })
        .onSuccess(x -> poll())
        .mapEmpty();
  }

  /**
   * Stops fetching; completes when the calls in flight have finished and their messages are
   * settled.
   */
  Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    if (inFlight == 0 && !fetching) stopped.tryComplete();
    return stopped.future();
  }

  private void poll() {
    if (stopping) {
      if (inFlight == 0) stopped.tryComplete();
      return;
    }
    if (fetching || inFlight > options.newBatchThreshold()) return; // a finishing call polls again
    if (!invoker.hasCapacity()) {
      schedule(CAPACITY_WAIT_MS);
      return;
    }
    fetching = true;
    vertx.cancelTimer(pollTimer);
    blocking(() -> service.receive(queue, options.batchSize(), options.messageLease()))
        .onComplete(
            ar -> {
              fetching = false;
              if (ar.failed()) {
                LOG.warn(
                    "queue trigger of {}: receiving from {} failed: {}",
                    function.name(),
                    queue,
                    ar.cause().toString());
                backOff();
                return;
              }
              List<QueueService.Message> batch = ar.result();
              if (batch.isEmpty()) {
                backOff();
                return;
              }
              delay = MIN_DELAY_MS;
              for (QueueService.Message m : batch) {
                inFlight++;
                process(new Held(m))
                    .onComplete(
                        x -> {
                          inFlight--;
                          poll();
                        });
              }
              poll(); // fetch more at once if the batch left room under the threshold
            });
  }

  private void backOff() {
    if (stopping) {
      poll();
      return;
    }
    long wait = delay;
    delay = Math.min(delay * 2, options.maxPollingInterval().toMillis());
    schedule(wait);
  }

  private void schedule(long ms) {
    vertx.cancelTimer(pollTimer);
    pollTimer = vertx.setTimer(ms, t -> poll());
  }

  /** A received message and its current pop receipt (renewing the lease replaces it). */
  private static final class Held {
    final QueueService.Message message;
    String popReceipt;

    Held(QueueService.Message message) {
      this.message = message;
      this.popReceipt = message.popReceipt();
    }
  }

  private Future<Void> process(Held held) {
    QueueService.Message m = held.message;
    Map<String, Object> data = new HashMap<>();
    data.put("Id", m.id());
    data.put("DequeueCount", m.dequeueCount());
    if (m.insertionTime() != null) data.put("InsertionTime", m.insertionTime().toString());
    if (m.expirationTime() != null) data.put("ExpirationTime", m.expirationTime().toString());
    if (m.nextVisibleTime() != null) data.put("NextVisibleTime", m.nextVisibleTime().toString());
    data.put("PopReceipt", m.popReceipt());
    byte[] bytes;
    try {
      bytes =
          options.base64()
              ? Base64.getDecoder().decode(m.text().trim())
              : m.text().getBytes(StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return poison(
          held, "BAD_INPUT: the message is not valid base64 (host.json messageEncoding is base64)");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    data.put("QueueTrigger", text);
    Invocation invocation =
        new Invocation(
            function.name(),
            Invocation.newId(),
            (FunctionParameter p) ->
                Conversions.convert(
                    p.rawType() == byte[].class ? bytes : text,
                    p.type(),
                    "queue message " + m.id()),
            data,
            Map.of("queue", queue, "message", m.id()));
    long renewMs = Math.max(500, options.messageLease().toMillis() / 2);
    long renewTimer = vertx.setPeriodic(renewMs, t -> renew(held));
    return call(invocation)
        .transform(
            ar -> {
              vertx.cancelTimer(renewTimer);
              if (ar.succeeded()) {
                return blocking(() -> service.delete(queue, m.id(), held.popReceipt)).mapEmpty();
              }
              InvocationFailure f =
                  ar.cause() instanceof InvocationFailure x
                      ? x
                      : new InvocationFailure(
                          InvocationFailure.Kind.FUNCTION_ERROR,
                          invocation.id(),
                          String.valueOf(ar.cause().getMessage()),
                          ar.cause());
              if (f.kind() == InvocationFailure.Kind.SHUTTING_DOWN
                  || f.kind() == InvocationFailure.Kind.NOT_FOUND) {
                return release(held, Duration.ZERO); // nothing ran
              }
              if (f.kind() == InvocationFailure.Kind.BAD_INPUT
                  || m.dequeueCount() >= options.maxDequeueCount()) {
                return poison(held, f.kind() + ": " + f.getMessage());
              }
              LOG.warn(
                  "queue message {} failed for {} (attempt {} of {}): {}",
                  m.id(),
                  function.name(),
                  m.dequeueCount(),
                  options.maxDequeueCount(),
                  f.getMessage());
              return release(held, options.visibilityTimeout());
            })
        .recover(
            e -> {
              LOG.warn(
                  "queue trigger of {}: settling message {} failed: {}",
                  function.name(),
                  m.id(),
                  e.toString());
              return Future.succeededFuture(); // it becomes visible again when its lease runs out
            });
  }

  /** Invokes, waiting while the host is full (nothing ran, so the message is still ours). */
  private Future<Void> call(Invocation invocation) {
    return invoker
        .invoke(invocation)
        .<Void>mapEmpty()
        .recover(
            e -> {
              if (e instanceof InvocationFailure f
                  && f.kind() == InvocationFailure.Kind.OVER_CAPACITY
                  && !stopping) {
                return vertx.timer(CAPACITY_WAIT_MS).compose(t -> call(invocation));
              }
              return Future.failedFuture(e);
            });
  }

  private void renew(Held held) {
    String receipt = held.popReceipt;
    blocking(() -> service.hide(queue, held.message.id(), receipt, options.messageLease()))
        .onSuccess(
            r -> {
              if (r != null && receipt.equals(held.popReceipt)) held.popReceipt = r;
            });
  }

  private Future<Void> release(Held held, Duration after) {
    return blocking(() -> service.hide(queue, held.message.id(), held.popReceipt, after))
        .mapEmpty();
  }

  private Future<Void> poison(Held held, String reason) {
    String poisonQueue = queue + "-poison";
    LOG.warn(
        "queue message {} moves to {} after {} attempt(s) of {}: {}",
        held.message.id(),
        poisonQueue,
        held.message.dequeueCount(),
        function.name(),
        reason);
    return blocking(
            () -> {
              service.send(poisonQueue, held.message.text()); // as stored: the same encoding
              return service.delete(queue, held.message.id(), held.popReceipt);
            })
        .mapEmpty();
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
