package dev.veil.triggers.blob;

import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.Leases;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStore.BlobInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds new and changed blobs for one function and calls it once per blob version.
 *
 * <p>Each scan lists the container page by page (continuation tokens) and picks the blobs that
 * match the path and have no receipt. A receipt — a blob in {@code azure-webjobs-hosts} named after
 * the function, the blob's ETag and its name — is written only after the call succeeded, outputs
 * included, so each blob version is processed once across restarts (at least once across crashes).
 * A blob that fails {@code maxDequeueCount} times (or whose content does not fit the parameter)
 * gets a poison record in {@code webjobs-blobtrigger-poison} naming the reason, and a receipt. Idle
 * scans back off up to {@code maxPollingInterval}.
 *
 * <p>In a cluster one node at a time lists the container for this function: it holds the lease
 * {@code blob-list/<container>/<function>} (renewed every scan, expiring after {@code
 * leaseDuration} if the node dies) and re-reads the receipts from storage whenever it takes the
 * lease over, so blobs a crashed node left unfinished (no receipt) are processed by the next
 * holder.
 */
final class BlobScanner {
  static final String RECEIPTS_CONTAINER = "azure-webjobs-hosts";
  static final String POISON_CONTAINER = "webjobs-blobtrigger-poison";
  private static final Logger LOG = LoggerFactory.getLogger(BlobScanner.class);
  private static final long MIN_DELAY_MS = 100;

  /** host.json {@code extensions.blobs} settings. */
  record Options(
      int parallelism, int maxDequeueCount, Duration maxPollingInterval, Duration leaseDuration) {}

  private final Vertx vertx;
  private final BlobStore store;
  private final BlobPathPattern path;
  private final FunctionDefinition function;
  private final Invoker invoker;
  private final Options options;
  private final Leases leases;
  private final String leaseName;
  private boolean holdingLease;
  private final String receiptPrefix;
  private final Set<String> receipts = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final Promise<Void> stopped = Promise.promise();
  private final BlobTriggerMeters meters;
  private volatile boolean stopping;
  private long delay = MIN_DELAY_MS;
  private long timer = -1;
  private boolean scanning;

  BlobScanner(
      Vertx vertx,
      BlobStore store,
      BlobPathPattern path,
      FunctionDefinition function,
      Invoker invoker,
      Options options,
      Leases leases,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.path = path;
    this.function = function;
    this.invoker = invoker;
    this.options = options;
    this.leases = leases;
    this.leaseName = "blob-list/" + path.container() + "/" + function.name();
    this.receiptPrefix = "blobreceipts/veil/" + function.name() + "/";
    this.meters = new BlobTriggerMeters(registry, function.name(), path.container(), receipts);
  }

  /**
   * Starts scanning; the first scan that holds the lease loads the receipts written by earlier
   * runs.
   */
  Future<Void> start() {
    timer = vertx.setTimer(1, t -> scan());
    return Future.succeededFuture();
  }

  private Future<Void> loadReceipts() {
    return blocking(
            () -> {
              String token = null;
              do {
                BlobStore.Page page = store.list(RECEIPTS_CONTAINER, receiptPrefix, token);
                page.items()
                    .forEach(item -> receipts.add(item.name().substring(receiptPrefix.length())));
                token = page.continuation();
              } while (token != null);
              return null;
            })
        .mapEmpty();
  }

  /** Stops after the blobs in progress are finished and their receipts written. */
  Future<Void> stop() {
    stopping = true;
    if (!scanning && vertx.cancelTimer(timer)) {
      stopped.tryComplete(); // idle between scans: nothing in flight
    }
    // hand the container to another node now instead of after the lease expires
    return stopped
        .future()
        .onComplete(x -> meters.remove())
        .eventually(() -> holdingLease ? leases.release(leaseName) : Future.succeededFuture());
  }

  private void scan() {
    if (stopping) {
      stopped.tryComplete();
      return;
    }
    scanning = true;
    leases
        .tryAcquire(leaseName, options.leaseDuration())
        .compose(
            held -> {
              boolean takenOver = held && !holdingLease;
              holdingLease = held;
              if (!held) return Future.succeededFuture(0); // another node lists this container now
              // receipts written by the previous holder are only in storage
              return (takenOver ? loadReceipts() : Future.<Void>succeededFuture())
                  .compose(x -> blocking(this::findNew))
                  .onSuccess(x -> meters.scanned())
                  .compose(todo -> processAll(todo).map(todo.size()));
            })
        .onComplete(
            ar -> {
              scanning = false;
              if (ar.failed()) {
                LOG.warn(
                    "blob trigger of {}: scanning {} failed: {}",
                    function.name(),
                    path.container(),
                    ar.cause().toString());
              }
              boolean found = ar.succeeded() && ar.result() > 0;
              delay =
                  found
                      ? MIN_DELAY_MS
                      : Math.min(
                          delay * 2,
                          Math.max(MIN_DELAY_MS, options.maxPollingInterval().toMillis()));
              timer = vertx.setTimer(stopping ? 1 : delay, t -> scan());
            });
  }

  private List<Target> findNew() {
    List<Target> todo = new ArrayList<>();
    String token = null;
    do {
      BlobStore.Page page = store.list(path.container(), path.prefix(), token);
      for (BlobInfo item : page.items()) {
        path.match(item.name())
            .ifPresent(
                parts -> {
                  Target t = new Target(item, parts);
                  if (!receipts.contains(t.receipt())) {
                    todo.add(t);
                  }
                });
      }
      token = page.continuation();
    } while (token != null && !stopping);
    return todo;
  }

  private final class Target {
    final BlobInfo item;
    final Map<String, String> parts;

    Target(BlobInfo item, Map<String, String> parts) {
      this.item = item;
      this.parts = parts;
    }

    String receipt() {
      return item.etag().replace("\"", "") + "/" + path.container() + "/" + item.name();
    }
  }

  private Future<Void> processAll(List<Target> todo) {
    Queue<Target> queue = new ArrayDeque<>(todo);
    List<Future<Void>> workers = new ArrayList<>();
    for (int i = 0; i < options.parallelism(); i++) {
      workers.add(work(queue));
    }
    return Future.join(workers).mapEmpty();
  }

  private Future<Void> work(Queue<Target> queue) {
    Target next;
    synchronized (queue) {
      next = stopping ? null : queue.poll();
    }
    if (next == null) {
      return Future.succeededFuture();
    }
    return process(next).eventually(() -> work(queue));
  }

  private Future<Void> process(Target target) {
    if (!invoker.hasCapacity()) {
      // The host is full: wait here rather than pile up invocations that would only be refused.
      return stopping ? Future.succeededFuture() : vertx.timer(20).compose(t -> process(target));
    }
    String container = path.container();
    String name = target.item.name();
    Map<String, Object> data = new HashMap<>(target.parts);
    data.put("BlobTrigger", container + "/" + name);
    data.put("BlobName", name);
    data.put("ETag", target.item.etag());
    data.put("Length", target.item.size());
    Invocation invocation =
        new Invocation(
            function.name(),
            UUID.randomUUID().toString(),
            parameter -> content(container, name, parameter),
            data,
            Map.of("blob", container + "/" + name));
    return invoker
        .invoke(invocation)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                failures.remove(target.receipt());
                return markDone(target);
              }
              InvocationFailure f =
                  ar.cause() instanceof InvocationFailure x
                      ? x
                      : new InvocationFailure(
                          InvocationFailure.Kind.FUNCTION_ERROR,
                          invocation.id(),
                          String.valueOf(ar.cause().getMessage()),
                          ar.cause());
              switch (f.kind()) {
                case OVER_CAPACITY, SHUTTING_DOWN, NOT_FOUND:
                  return Future.succeededFuture(); // nothing ran; the next scan offers it again
                default:
                  int attempts = failures.merge(target.receipt(), 1, Integer::sum);
                  if (f.kind() == InvocationFailure.Kind.BAD_INPUT
                      || attempts >= options.maxDequeueCount()) {
                    failures.remove(target.receipt());
                    return poison(target, f, attempts);
                  }
                  LOG.warn(
                      "blob {}/{} failed for {} (attempt {} of {}): {}",
                      container,
                      name,
                      function.name(),
                      attempts,
                      options.maxDequeueCount(),
                      f.getMessage());
                  return Future.succeededFuture();
              }
            });
  }

  /**
   * The trigger parameter's value: a stream for InputStream, else the content read whole and
   * converted; null when the blob was deleted since it was listed.
   */
  private Object content(String container, String name, FunctionParameter parameter) {
    try {
      if (InputStream.class.isAssignableFrom(parameter.rawType())) {
        return store.open(container, name).stream();
      }
      byte[] bytes = store.read(container, name);
      return Conversions.convert(bytes, parameter.type(), "blob " + container + "/" + name);
    } catch (BlobNotFoundException e) {
      return null;
    }
  }

  private Future<Void> markDone(Target target) {
    return blocking(
            () -> {
              store.write(RECEIPTS_CONTAINER, receiptPrefix + target.receipt(), new byte[0]);
              return null;
            })
        .onSuccess(x -> receipts.add(target.receipt()))
        .mapEmpty();
  }

  private Future<Void> poison(Target target, InvocationFailure failure, int attempts) {
    meters.poisoned();
    String container = path.container();
    String name = target.item.name();
    LOG.warn(
        "blob {}/{} is poison for {} after {} attempt(s): {}",
        container,
        name,
        function.name(),
        attempts,
        failure.getMessage());
    Map<String, Object> record =
        Map.of(
            "function",
            function.name(),
            "container",
            container,
            "blob",
            name,
            "etag",
            target.item.etag(),
            "attempts",
            attempts,
            "reason",
            failure.kind() + ": " + failure.getMessage(),
            "time",
            Instant.now().toString());
    return blocking(
            () -> {
              store.write(
                  POISON_CONTAINER,
                  function.name() + "/" + target.receipt() + ".json",
                  Conversions.toJson(record).getBytes(StandardCharsets.UTF_8));
              return null;
            })
        .compose(x -> markDone(target));
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }
}
