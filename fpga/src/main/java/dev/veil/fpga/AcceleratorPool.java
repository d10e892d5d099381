package dev.veil.fpga;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accelerator pool: the workers (local and remote, alike), one {@link DynamicBatcher} per heavy
 * model, worker selection (least loaded healthy worker serving the model's accelerator class),
 * health checks that drain failed workers, and the pool's metrics. Remote workers join by
 * announcing themselves on {@link #ANNOUNCE_ADDRESS} (see {@link WorkerHost}).
 */
public final class AcceleratorPool {
  /** Workers publish their advertisement (id, address, device, capacity, models) here. */
  public static final String ANNOUNCE_ADDRESS = "veil.fpga.workers.announce";

  /** A pool publishes here when it starts so that running workers announce themselves at once. */
  public static final String DISCOVER_ADDRESS = "veil.fpga.workers.discover";

  private static final Logger log = LoggerFactory.getLogger(AcceleratorPool.class);

  private final Vertx vertx;
  private final Context context;

  /** The deployment that gives the pool its own event-loop context; undeployed at close. */
  private final String deploymentId;

  private final MeterRegistry registry;

  /**
   * The {@code pool} tag of its meters: the models it serves, so two pools in one registry do not
   * collide.
   */
  private final String name;

  private Meter healthyGauge;
  private final Map<String, ModelSpec> models = new LinkedHashMap<>();
  private final Map<String, DynamicBatcher> batchers = new LinkedHashMap<>();
  private final Map<String, WorkerState> workers = new LinkedHashMap<>();
  private final Map<String, Integer> sampleSizes = new ConcurrentHashMap<>();
  private long healthTimer = -1;
  private MessageConsumer<JsonObject> announcements;

  private static final class WorkerState {
    final Worker worker;
    final List<Meter> meters = new ArrayList<>();
    int inFlight;
    boolean healthy = true;
    volatile long busyNanos;

    WorkerState(Worker worker) {
      this.worker = worker;
    }
  }

  private AcceleratorPool(
      Vertx vertx, Context context, String deploymentId, MeterRegistry registry, String name) {
    this.vertx = vertx;
    this.context = context;
    this.deploymentId = deploymentId;
    this.registry = registry;
    this.name = name;
  }

  /**
   * Starts a pool for the heavy models: creates the local workers of {@code workerSpecs} (failing
   * with {@link BackendUnavailableException} when a device's provider is missing and no fallback is
   * allowed), and, when {@code acceptRemote}, takes in remote workers announced on the event bus.
   */
  public static Future<AcceleratorPool> start(
      Vertx vertx,
      List<ModelSpec> heavyModels,
      List<WorkerSpec> workerSpecs,
      boolean acceptRemote,
      long healthCheckMs,
      MeterRegistry registry) {
    // Its own event-loop context, whatever thread starts it: batcher state is confined to it. A
    // deployment is
    // how Vert.x's public API hands out a fresh event-loop context.
    Home home = new Home();
    return vertx
        .deployVerticle(home)
        .compose(
            deploymentId -> {
              AcceleratorPool pool =
                  new AcceleratorPool(
                      vertx,
                      home.context(),
                      deploymentId,
                      registry,
                      String.join("+", heavyModels.stream().map(ModelSpec::name).toList()));
              return start(pool, heavyModels, workerSpecs, acceptRemote, healthCheckMs)
                  .onFailure(err -> vertx.undeploy(deploymentId));
            });
  }

  /** Owns the pool's event-loop context. */
  private static final class Home extends VerticleBase {
    Context context() {
      return context;
    }
  }

  private static Future<AcceleratorPool> start(
      AcceleratorPool pool,
      List<ModelSpec> heavyModels,
      List<WorkerSpec> workerSpecs,
      boolean acceptRemote,
      long healthCheckMs) {
    Vertx vertx = pool.vertx;
    Context context = pool.context;
    MeterRegistry registry = pool.registry;
    return vertx
        .executeBlocking(() -> createLocalWorkers(vertx, heavyModels, workerSpecs), false)
        .compose(
            local -> {
              Future<AcceleratorPool> started =
                  Future.future(
                      p ->
                          context.runOnContext(
                              v -> {
                                for (ModelSpec m : heavyModels) {
                                  pool.models.put(m.name(), m);
                                  pool.batchers.put(
                                      m.name(), new DynamicBatcher(m, pool, context, registry));
                                }
                                local.forEach(pool::add);
                                pool.healthyGauge =
                                    Gauge.builder(
                                            "veil.pool.workers.healthy",
                                            pool,
                                            AcceleratorPool::healthyCount)
                                        .tag("pool", pool.name)
                                        .register(registry);
                                if (acceptRemote) {
                                  pool.announcements =
                                      vertx
                                          .eventBus()
                                          .consumer(
                                              ANNOUNCE_ADDRESS, msg -> pool.onAnnounce(msg.body()));
                                  pool.announcements
                                      .completion()
                                      .onComplete(
                                          ar ->
                                              vertx
                                                  .eventBus()
                                                  .publish(DISCOVER_ADDRESS, new JsonObject()));
                                }
                                pool.healthTimer =
                                    vertx.setPeriodic(healthCheckMs, t -> pool.checkHealth());
                                p.complete(pool);
                              }));
              return started;
            });
  }

  private static List<LocalWorker> createLocalWorkers(
      Vertx vertx, List<ModelSpec> models, List<WorkerSpec> specs) {
    List<LocalWorker> created = new ArrayList<>();
    try {
      int n = 0;
      for (WorkerSpec spec : specs) {
        List<ModelSpec> served =
            models.stream().filter(m -> m.accelerator() == spec.device()).toList();
        if (spec.count() == 0 || served.isEmpty()) continue;
        ExecutionBackend backend =
            ExecutionBackend.resolve(spec.device(), spec.fallbackToCpu(), spec.options());
        for (int i = 0; i < spec.count(); i++) {
          created.add(
              LocalWorker.create(
                  vertx, spec.device().configName() + "-" + n++, backend, spec.capacity(), served));
        }
      }
      return created;
    } catch (RuntimeException e) {
      created.forEach(LocalWorker::stop);
      throw e;
    }
  }

  /** Runs one sample of a heavy model through its batcher; callable from any thread. */
  public Future<float[]> infer(String model, float[] input) {
    DynamicBatcher batcher = batchers.get(model);
    if (batcher == null)
      return Future.failedFuture(PoolException.badInput("unknown model '" + model + "'"));
    // Checked here so that one malformed request cannot fail the batch it would share with others.
    Integer size = sampleSizes.get(model);
    if (size != null && input.length != size) {
      return Future.failedFuture(
          PoolException.badInput(
              "model '" + model + "' expects " + size + " values per sample, got " + input.length));
    }
    return batcher.submit(input);
  }

  /**
   * Adds a worker (also used for workers created outside the configuration); callable from any
   * thread.
   */
  public void addWorker(Worker worker) {
    context.runOnContext(v -> add(worker));
  }

  /** The workers and their state, for admin endpoints and tests. */
  public Future<List<JsonObject>> describeWorkers() {
    return Future.future(
        p ->
            context.runOnContext(
                v -> {
                  List<JsonObject> out = new ArrayList<>();
                  for (WorkerState s : workers.values()) {
                    out.add(
                        new JsonObject()
                            .put("id", s.worker.id())
                            .put("serves", s.worker.serves().configName())
                            .put("device", s.worker.device().configName())
                            .put("capacity", s.worker.capacity())
                            .put("inFlight", s.inFlight)
                            .put("healthy", s.healthy)
                            .put("models", new JsonObject(new LinkedHashMap<>(s.worker.models())))
                            .put("remote", s.worker instanceof RemoteWorker));
                  }
                  p.complete(out);
                }));
  }

  /**
   * The workers as this node's entry in {@code /admin/cluster} shows them (the pool's owner
   * registers it).
   */
  public Future<JsonObject> report() {
    return describeWorkers()
        .map(
            workers ->
                new JsonObject().put("workers", new JsonArray(new ArrayList<Object>(workers))));
  }

  /** The {@code pool} tag of this pool's meters. */
  String name() {
    return name;
  }

  public Collection<String> modelNames() {
    return models.keySet();
  }

  private void add(Worker worker) {
    WorkerState old = workers.get(worker.id());
    if (old != null && old.healthy) return;
    if (old != null) removeMeters(old);
    WorkerState s = new WorkerState(worker);
    workers.put(worker.id(), s);
    worker.models().forEach(sampleSizes::putIfAbsent);
    String[] tags = {"pool", name, "worker", worker.id(), "device", worker.device().configName()};
    s.meters.add(
        Gauge.builder(
                "veil.pool.worker.utilisation",
                s,
                st -> (double) st.inFlight / st.worker.capacity())
            .tags(tags)
            .description("share of the worker's batch slots in use")
            .register(registry));
    s.meters.add(
        FunctionCounter.builder(
                "veil.pool.worker.busy", s, st -> st.busyNanos / 1e9 / st.worker.capacity())
            .tags(tags)
            .baseUnit("seconds")
            .description("device time spent on batches, per slot")
            .register(registry));
    log.info(
        "pool: worker {} ({} on {}, capacity {}) serves {}",
        worker.id(),
        worker.serves().configName(),
        worker.device().configName(),
        worker.capacity(),
        worker.models().keySet());
    dispatchAll();
  }

  private void onAnnounce(JsonObject ad) {
    try {
      RemoteWorker remote = RemoteWorker.fromAdvertisement(vertx, ad);
      WorkerState known = workers.get(remote.id());
      if (known == null || !known.healthy) add(remote);
    } catch (RuntimeException e) {
      log.warn("pool: ignoring malformed worker advertisement: {}", e.getMessage());
    }
  }

  boolean anyHealthyWorker(String model) {
    DeviceKind kind = models.get(model).accelerator();
    for (WorkerState s : workers.values()) {
      if (s.healthy && s.worker.serves() == kind && s.worker.models().containsKey(model))
        return true;
    }
    return false;
  }

  /**
   * Reserves a batch slot on the least loaded healthy worker for the model, or null when all are
   * busy.
   */
  Worker acquire(String model) {
    DeviceKind kind = models.get(model).accelerator();
    WorkerState best = null;
    for (WorkerState s : workers.values()) {
      if (!s.healthy || s.worker.serves() != kind || !s.worker.models().containsKey(model))
        continue;
      if (s.inFlight >= s.worker.capacity()) continue;
      if (best == null
          || (double) s.inFlight / s.worker.capacity()
              < (double) best.inFlight / best.worker.capacity()) best = s;
    }
    if (best == null) return null;
    best.inFlight++;
    return best.worker;
  }

  void release(Worker worker, long busyNanos) {
    WorkerState s = workers.get(worker.id());
    if (s != null && s.worker == worker) {
      s.inFlight--;
      s.busyNanos += busyNanos;
    }
  }

  /** Takes a failed worker out of rotation; its batches are retried by their batchers. */
  void drain(Worker worker, Throwable cause) {
    WorkerState s = workers.get(worker.id());
    if (s == null || s.worker != worker || !s.healthy) return;
    s.healthy = false;
    log.warn("pool: draining worker {}: {}", worker.id(), cause.getMessage());
    workers.remove(worker.id());
    removeMeters(s);
    worker.drained(cause);
  }

  void dispatchAll() {
    batchers.values().forEach(DynamicBatcher::dispatch);
  }

  private void checkHealth() {
    for (WorkerState s : new ArrayList<>(workers.values())) {
      s.worker
          .ping()
          .onComplete(
              ar ->
                  context.runOnContext(
                      v -> {
                        if (ar.failed()) drain(s.worker, ar.cause());
                      }));
    }
  }

  private double healthyCount() {
    return workers.values().stream().filter(s -> s.healthy).count();
  }

  private void removeMeters(WorkerState s) {
    s.meters.forEach(registry::remove);
    s.meters.clear();
  }

  /** Fails what is still queued and stops the local workers. */
  public Future<Void> close() {
    Future<Void> stopped =
        Future.future(
            p ->
                context.runOnContext(
                    v -> {
                      if (healthTimer != -1) vertx.cancelTimer(healthTimer);
                      batchers
                          .values()
                          .forEach(
                              b ->
                                  b.close(
                                      new PoolException(
                                          503, "the accelerator pool is shutting down")));
                      for (WorkerState s : workers.values()) {
                        if (s.worker instanceof LocalWorker local) local.stop();
                        removeMeters(s);
                      }
                      // A pool started again later in this registry registers its gauges afresh
                      // instead of finding these.
                      if (healthyGauge != null) registry.remove(healthyGauge);
                      batchers.values().forEach(b -> registry.remove(b.queueDepth));
                      workers.clear();
                      Future<Void> unregistered =
                          announcements == null
                              ? Future.succeededFuture()
                              : announcements.unregister();
                      unregistered.onComplete(ar -> p.complete());
                    }));
    return stopped.eventually(() -> vertx.undeploy(deploymentId));
  }
}
