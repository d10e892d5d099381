package dev.veil.fpga;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker in this process: one ONNX Runtime session per model on its backend, batches run on its
 * own bounded thread pool (never on the event loop). {@link #stop()} takes it out of service
 * immediately: batches still running are reported as failed so the pool retries them elsewhere.
 */
public final class LocalWorker implements Worker {
  private static final Logger log = LoggerFactory.getLogger(LocalWorker.class);

  private final Vertx vertx;
  private final String id;
  private final ExecutionBackend backend;
  private final int capacity;
  private final Map<String, OnnxModel> sessions;
  private final WorkerExecutor executor;
  private final AtomicInteger running = new AtomicInteger();
  private volatile boolean stopped;
  private boolean closed;

  private LocalWorker(
      Vertx vertx,
      String id,
      ExecutionBackend backend,
      int capacity,
      Map<String, OnnxModel> sessions,
      WorkerExecutor executor) {
    this.vertx = vertx;
    this.id = id;
    this.backend = backend;
    this.capacity = capacity;
    this.sessions = sessions;
    this.executor = executor;
  }

  /**
   * Loads the models on the backend (blocking: session creation reads and optimises the graphs).
   * Fails with {@link BackendUnavailableException} when the backend's provider is missing.
   */
  public static LocalWorker create(
      Vertx vertx, String id, ExecutionBackend backend, int capacity, List<ModelSpec> models) {
    Map<String, OnnxModel> sessions = new LinkedHashMap<>();
    try {
      for (ModelSpec m : models) sessions.put(m.name(), OnnxModel.load(m, backend));
    } catch (RuntimeException e) {
      sessions.values().forEach(OnnxModel::close);
      throw e;
    }
    log.info("worker {} on {} serves {}", id, backend, sessions.keySet());
    return new LocalWorker(
        vertx,
        id,
        backend,
        capacity,
        sessions,
        vertx.createSharedWorkerExecutor("veil-pool-" + id, capacity));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public DeviceKind serves() {
    return backend.requested();
  }

  @Override
  public DeviceKind device() {
    return backend.device();
  }

  @Override
  public int capacity() {
    return capacity;
  }

  public ExecutionBackend backend() {
    return backend;
  }

  @Override
  public Map<String, Integer> models() {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    sessions.forEach((name, m) -> sizes.put(name, m.sampleSize()));
    return sizes;
  }

  @Override
  public Future<List<float[]>> run(String model, List<float[]> samples) {
    OnnxModel session = sessions.get(model);
    if (session == null)
      return Future.failedFuture(
          new IllegalArgumentException("worker " + id + " does not serve " + model));
    running.incrementAndGet();
    if (stopped) {
      release();
      return Future.failedFuture(stoppedFailure());
    }
    return executor.<List<float[]>>executeBlocking(
        () -> {
          try {
            List<float[]> out = session.run(samples);
            if (stopped) throw stoppedFailure();
            return out;
          } finally {
            release();
          }
        },
        false);
  }

  @Override
  public Future<Void> ping() {
    return stopped ? Future.failedFuture(stoppedFailure()) : Future.succeededFuture();
  }

  /**
   * Takes the worker out of service; sessions close once the batches still running have returned.
   */
  public void stop() {
    if (stopped) return;
    stopped = true;
    log.info("worker {} stopped", id);
    if (running.get() == 0) closeSessions();
  }

  /** Batches currently running on this worker. */
  public int running() {
    return running.get();
  }

  private void release() {
    if (running.decrementAndGet() == 0 && stopped) closeSessions();
  }

  private synchronized void closeSessions() {
    if (closed) return;
    closed = true;
    sessions.values().forEach(OnnxModel::close);
    // Not from inside the executor's own thread, which may be the one running this.
    vertx.runOnContext(v -> executor.close());
  }

  private WorkerFailedException stoppedFailure() {
    return new WorkerFailedException("worker " + id + " stopped", null);
  }
}
