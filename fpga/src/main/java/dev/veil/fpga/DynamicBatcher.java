package dev.veil.fpga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The dynamic batcher of one model, as Triton's: requests wait in a bounded queue until {@code
 * maxBatchSize} of them are there or the oldest has waited {@code maxQueueDelay}, then go to a free
 * worker as one batch. A full queue rejects at once (429); a request older than its timeout fails
 * (504); a batch whose worker failed is retried once on another worker. All state lives on the
 * pool's context, so nothing here needs a lock.
 */
final class DynamicBatcher {
  private final ModelSpec spec;
  private final AcceleratorPool pool;
  private final Context context;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final long maxDelayNanos;
  private final DistributionSummary batchSizes;
  private final Timer latency;
  private final Counter rejected;
  private final Counter timedOut;
  private final Counter retried;

  /** Removed when the pool closes: a gauge holds on to this batcher's queue. */
  final Gauge queueDepth;

  private long timerId = -1;

  private static final class Pending {
    final float[] input;
    final Promise<float[]> promise = Promise.promise();
    final long enqueuedNanos = System.nanoTime();
    long timeoutTimer;
    boolean retried;

    Pending(float[] input) {
      this.input = input;
    }
  }

  DynamicBatcher(ModelSpec spec, AcceleratorPool pool, Context context, MeterRegistry registry) {
    this.spec = spec;
    this.pool = pool;
    this.context = context;
    this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(spec.maxQueueDelayMicros());
    String model = spec.name();
    queueDepth =
        Gauge.builder("veil.pool.queue.depth", queue, ArrayDeque::size)
            .tag("model", model)
            .tag("pool", pool.name())
            .description("requests waiting for a batch")
            .register(registry);
    double[] sizes = new double[32];
    for (int i = 0; i < sizes.length; i++) sizes[i] = i + 1;
    batchSizes =
        DistributionSummary.builder("veil.pool.batch.size")
            .tag("model", model)
            .serviceLevelObjectives(sizes)
            .description("samples per batch sent to a worker")
            .register(registry);
    latency =
        Timer.builder("veil.pool.request.latency")
            .tag("model", model)
            .publishPercentiles(0.5, 0.99)
            .description("queue + batch time of one request")
            .register(registry);
    rejected =
        Counter.builder("veil.pool.requests.rejected").tag("model", model).register(registry);
    timedOut =
        Counter.builder("veil.pool.requests.timedout").tag("model", model).register(registry);
    retried = Counter.builder("veil.pool.batches.retried").tag("model", model).register(registry);
  }

  /** Queues one sample; callable from any thread. */
  Future<float[]> submit(float[] input) {
    Pending p = new Pending(input);
    context.runOnContext(v -> enqueue(p));
    return p.promise.future();
  }

  int queued() {
    return queue.size();
  }

  private void enqueue(Pending p) {
    if (queue.size() >= spec.queueCapacity()) {
      rejected.increment();
      p.promise.fail(PoolException.queueFull(spec.name(), spec.queueCapacity()));
      return;
    }
    p.timeoutTimer = context.owner().setTimer(spec.timeoutMs(), t -> expire(p));
    queue.addLast(p);
    dispatch();
  }

  private void expire(Pending p) {
    queue.remove(p);
    if (p.promise.tryFail(PoolException.timedOut(spec.name(), spec.timeoutMs())))
      timedOut.increment();
  }

  /** Sends batches while they are due and a worker has a free slot; called again when one frees. */
  void dispatch() {
    while (!queue.isEmpty()) {
      long waited = System.nanoTime() - queue.peekFirst().enqueuedNanos;
      if (queue.size() < spec.maxBatchSize() && waited < maxDelayNanos) {
        armTimer(maxDelayNanos - waited);
        return;
      }
      if (!pool.anyHealthyWorker(spec.name())) {
        failQueued(PoolException.noWorker(spec.name()));
        return;
      }
      Worker worker = pool.acquire(spec.name());
      if (worker == null) return;
      List<Pending> batch = new ArrayList<>(Math.min(queue.size(), spec.maxBatchSize()));
      while (batch.size() < spec.maxBatchSize() && !queue.isEmpty()) batch.add(queue.pollFirst());
      run(worker, batch);
    }
  }

  private void run(Worker worker, List<Pending> batch) {
    batchSizes.record(batch.size());
    List<float[]> inputs = new ArrayList<>(batch.size());
    for (Pending p : batch) inputs.add(p.input);
    long start = System.nanoTime();
    worker
        .run(spec.name(), inputs)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      pool.release(worker, System.nanoTime() - start);
                      if (ar.succeeded()) {
                        List<float[]> outputs = ar.result();
                        for (int i = 0; i < batch.size(); i++)
                          complete(batch.get(i), outputs.get(i));
                      } else if (ar.cause() instanceof WorkerFailedException failure) {
                        pool.drain(worker, failure);
                        retryOnce(batch, failure);
                      } else {
                        for (Pending p : batch) finish(p, ar.cause());
                      }
                      pool.dispatchAll();
                    }));
  }

  private void retryOnce(List<Pending> batch, WorkerFailedException failure) {
    boolean any = false;
    for (int i = batch.size() - 1; i >= 0; i--) {
      Pending p = batch.get(i);
      if (p.promise.future().isComplete()) continue;
      if (p.retried) {
        finish(
            p,
            new PoolException(
                503, "model '" + spec.name() + "' failed on two workers: " + failure.getMessage()));
      } else {
        p.retried = true;
        queue.addFirst(p);
        any = true;
      }
    }
    if (any) retried.increment();
  }

  private void complete(Pending p, float[] output) {
    if (p.promise.tryComplete(output)) {
      context.owner().cancelTimer(p.timeoutTimer);
      latency.record(System.nanoTime() - p.enqueuedNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void finish(Pending p, Throwable failure) {
    context.owner().cancelTimer(p.timeoutTimer);
    p.promise.tryFail(failure);
  }

  private void failQueued(Throwable failure) {
    Pending p;
    while ((p = queue.pollFirst()) != null) finish(p, failure);
  }

  private void armTimer(long delayNanos) {
    if (timerId != -1) return;
    long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999));
    timerId =
        context
            .owner()
            .setTimer(
                ms,
                t -> {
                  timerId = -1;
                  dispatch();
                });
  }

  void close(Throwable reason) {
    if (timerId != -1) context.owner().cancelTimer(timerId);
    failQueued(reason);
  }
}
