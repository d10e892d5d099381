package dev.veil.triggers.timer;

import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.Leases;
import dev.veil.runtime.spi.TriggerInput;
import dev.veil.triggers.blob.BlobFiles;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one timer function. Only the holder of the cluster lease {@code timer/<function>} fires
 * (every host asks for it every {@link #RENEW}; a dead holder's lease lapses after {@link #LEASE},
 * so another host takes over within about 12 s). On taking over, the stored status says whether an
 * occurrence was missed; a monitored timer's status is written after each run, so a run cut off by
 * a crash is done again. Runs of one timer never overlap. Everything here runs on one event loop;
 * storage I/O goes to worker threads.
 */
final class TimerRunner {
  private static final Logger LOG = LoggerFactory.getLogger(TimerRunner.class);
  static final Duration LEASE = Duration.ofSeconds(10);
  static final Duration RENEW = Duration.ofSeconds(2);
  private static final long RETRY_MS = 100;

  /** How one timer behaves: from the annotation, app settings and host.json. */
  record Options(
      TimerSchedule schedule,
      String scheduleText,
      ZoneId zone,
      boolean runOnStartup,
      boolean useMonitor) {}

  private final Vertx vertx;
  private final Clock clock;
  private final FunctionDefinition function;
  private final Invoker invoker;
  private final Leases leases;
  private final BlobFiles storage;
  private final Options options;
  private final TimerPlan plan;
  private final String leaseName;
  private final String statusName;
  private final Promise<Void> stopped = Promise.promise();
  private boolean stopping;
  private boolean startedOnce;
  private boolean holding;
  private boolean running;
  private Instant leaseValidUntil = Instant.MIN;
  private Instant next;
  private ScheduleStatus status;
  private long renewTimer = -1;
  private long fireTimer = -1;

  TimerRunner(
      Vertx vertx,
      Clock clock,
      FunctionDefinition function,
      Invoker invoker,
      Leases leases,
      BlobFiles storage,
      Options options) {
    this.vertx = vertx;
    this.clock = clock;
    this.function = function;
    this.invoker = invoker;
    this.leases = leases;
    this.storage = storage;
    this.options = options;
    this.plan = new TimerPlan(options.schedule());
    this.leaseName = "timer/" + function.name();
    this.statusName = "timers/veil/" + function.name() + "/status";
  }

  static final String STATUS_CONTAINER = "azure-webjobs-hosts";

  void start() {
    renew();
  }

  /** The occurrence this host waits for, or null when another host holds the timer. */
  Instant next() {
    return holding ? next : null;
  }

  boolean holding() {
    return holding;
  }

  /** Stops firing; completes once a run in progress has finished, then gives the lease up. */
  Future<Void> stop() {
    stopping = true;
    vertx.cancelTimer(renewTimer);
    vertx.cancelTimer(fireTimer);
    if (!running) stopped.tryComplete();
    return stopped
        .future()
        .eventually(() -> holding ? leases.release(leaseName) : Future.succeededFuture());
  }

  private void renew() {
    if (stopping) return;
    Instant asked = clock.instant();
    leases
        .tryAcquire(leaseName, LEASE)
        .onComplete(
            ar -> {
              if (stopping) return;
              boolean held = ar.succeeded() && ar.result();
              if (ar.failed())
                LOG.warn(
                    "timer {}: lease request failed: {}", function.name(), ar.cause().toString());
              if (held) {
                leaseValidUntil = asked.plus(LEASE).minus(RENEW);
                if (!holding) takeOver();
              } else if (holding) {
                LOG.info("timer {}: another host fires it now", function.name());
                holding = false;
                vertx.cancelTimer(fireTimer);
              }
              renewTimer = vertx.setTimer(RENEW.toMillis(), t -> renew());
            });
  }

  private void takeOver() {
    holding = true;
    boolean first = !startedOnce;
    startedOnce = true;
    loadStatus()
        .onComplete(
            ar -> {
              if (stopping || !holding) return;
              if (ar.failed()) {
                LOG.warn(
                    "timer {}: reading its schedule status failed, starting afresh: {}",
                    function.name(),
                    ar.cause().toString());
              }
              status = ar.succeeded() ? ar.result() : null;
              Instant now = clock.instant();
              TimerPlan.Start start = plan.onTakeOver(status, now, first && options.runOnStartup());
              next = start.next();
              LOG.info(
                  "timer {}: fires on {} from this host; next {}{}",
                  function.name(),
                  options.schedule(),
                  next,
                  start.pastDue()
                      ? "; an occurrence was missed, running it now"
                      : start.onStartup() ? "; running on start-up" : "");
              if (start.pastDue()) {
                fire(status.next(), true);
              } else if (start.onStartup()) {
                fire(null, false);
              } else {
                arm();
              }
            });
  }

  private void arm() {
    vertx.cancelTimer(fireTimer);
    if (stopping || !holding || next == null || running) return;
    long delay = Duration.between(clock.instant(), next).toMillis();
    fireTimer = vertx.setTimer(Math.max(1, delay), t -> due());
  }

  private void due() {
    if (stopping || !holding || running) return;
    Instant now = clock.instant();
    if (now.isBefore(next)) {
      arm(); // woke early (timers round to milliseconds)
      return;
    }
    if (now.isAfter(leaseValidUntil)) {
      LOG.warn("timer {}: lease not renewed in time, not firing {}", function.name(), next);
      fireTimer = vertx.setTimer(RETRY_MS, t -> due());
      return;
    }
    fire(next, false);
  }

  /**
   * @param occurrence the scheduled time being run, null for a run-on-startup call
   */
  private void fire(Instant occurrence, boolean pastDue) {
    running = true;
    Future<Boolean> fresh =
        options.useMonitor() && occurrence != null && !pastDue
            ? loadStatus()
                .map(s -> s == null || s.last() == null || s.last().isBefore(occurrence))
                .otherwise(true)
            : Future.succeededFuture(true);
    fresh.onComplete(
        ar -> {
          if (!ar.result()) {
            LOG.info("timer {}: {} already ran on another host", function.name(), occurrence);
            finished(occurrence, false);
            return;
          }
          invoke(occurrence, pastDue);
        });
  }

  private void invoke(Instant occurrence, boolean pastDue) {
    JsonObject info = timerInfo(occurrence, pastDue);
    Invocation invocation =
        new Invocation(
            function.name(),
            Invocation.newId(),
            TriggerInput.of(info.encode()),
            Map.of(),
            Map.of("timer", occurrence == null ? "startup" : occurrence.toString()));
    invoker
        .invoke(invocation)
        .onComplete(
            ar -> {
              if (ar.failed()
                  && ar.cause() instanceof InvocationFailure f
                  && (f.kind() == InvocationFailure.Kind.OVER_CAPACITY)
                  && !stopping) {
                vertx.setTimer(
                    RETRY_MS, t -> invoke(occurrence, pastDue)); // nothing ran: the host is full
                return;
              }
              if (ar.failed()) {
                LOG.warn(
                    "timer {}: run for {} failed: {}",
                    function.name(),
                    occurrence,
                    ar.cause().getMessage());
              }
              finished(occurrence, true);
            });
  }

  /**
   * The {@code TimerInfo} JSON Azure passes: {@code Schedule}, {@code ScheduleStatus} (the status
   * before this run: {@code Next} is the occurrence being run; null without monitor) and {@code
   * IsPastDue}.
   */
  JsonObject timerInfo(Instant occurrence, boolean pastDue) {
    JsonObject schedule = new JsonObject().put("AdjustForDST", !options.schedule().isInterval());
    ScheduleStatus shown = null;
    if (options.useMonitor()) {
      Instant last = status == null ? null : status.last();
      shown =
          new ScheduleStatus(
              last,
              occurrence != null ? occurrence : next,
              status == null ? null : status.lastUpdated());
    }
    return new JsonObject()
        .put("Schedule", schedule)
        .put("ScheduleStatus", shown == null ? null : shown.toJson(options.zone()))
        .put("IsPastDue", pastDue);
  }

  private void finished(Instant occurrence, boolean ran) {
    Instant now = clock.instant();
    next = plan.afterRun(now);
    Future<Void> saved = Future.succeededFuture();
    if (ran && options.useMonitor()) {
      Instant last = occurrence != null ? occurrence : status != null ? status.last() : null;
      status = new ScheduleStatus(last, next, now);
      saved = saveStatus(status);
    }
    saved.onComplete(
        ar -> {
          if (ar.failed())
            LOG.warn(
                "timer {}: writing its schedule status failed: {}",
                function.name(),
                ar.cause().toString());
          running = false;
          if (stopping) {
            stopped.tryComplete();
          } else {
            arm();
          }
        });
  }

  private Future<ScheduleStatus> loadStatus() {
    if (!options.useMonitor()) return Future.succeededFuture(null);
    return vertx.executeBlocking(
        () -> {
          byte[] bytes = storage.read(STATUS_CONTAINER, statusName);
          return bytes == null
              ? null
              : ScheduleStatus.fromJson(new JsonObject(new String(bytes, StandardCharsets.UTF_8)));
        },
        false);
  }

  private Future<Void> saveStatus(ScheduleStatus s) {
    byte[] bytes = s.toJson(options.zone()).encode().getBytes(StandardCharsets.UTF_8);
    return vertx
        .executeBlocking(
            () -> {
              storage.write(STATUS_CONTAINER, statusName, bytes);
              return null;
            },
            false)
        .mapEmpty();
  }
}
