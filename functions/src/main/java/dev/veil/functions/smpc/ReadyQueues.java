package dev.veil.functions.smpc;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Things made ahead of requests, per kind: up to {@code depth} ready per kind (at most 16 kinds,
 * the least recently used dropped), topped up by one background thread, each handed out once. Used
 * by the provider's dealt sessions and by party 0's prefetched material.
 */
final class ReadyQueues<T> {
  private static final int MAX_KINDS = 16;
  private static final Logger LOG = LoggerFactory.getLogger(ReadyQueues.class);

  private record Ready<T>(T value, long madeNanos) {}

  private final int depth;
  private final long maxAgeNanos;
  private final Map<String, ArrayDeque<Ready<T>>> ready =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Ready<T>>> eldest) {
          return size() > MAX_KINDS;
        }
      };
  private final Set<String> refilling = new HashSet<>();
  private final ExecutorService maker;

  ReadyQueues(String threadName, int depth, long maxAgeSeconds) {
    this.depth = depth;
    this.maxAgeNanos = maxAgeSeconds * 1_000_000_000L;
    this.maker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /** A ready one of {@code kind} (not older than the age limit), or null. */
  synchronized T poll(String kind) {
    ArrayDeque<Ready<T>> queue = ready.get(kind);
    long now = System.nanoTime();
    while (queue != null && !queue.isEmpty()) {
      Ready<T> r = queue.poll();
      if (now - r.madeNanos() < maxAgeNanos) {
        return r.value();
      }
    }
    return null;
  }

  synchronized void drop(String kind) {
    ready.remove(kind);
  }

  synchronized int readyCount() {
    return ready.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  /**
   * Tops {@code kind} up to the depth in the background; a failure of {@code make} stops this
   * top-up (logged).
   */
  void refill(String kind, Supplier<T> make) {
    synchronized (this) {
      if (!refilling.add(kind)) {
        return;
      }
    }
    maker.execute(
        () -> {
          try {
            while (true) {
              synchronized (this) {
                if (ready.computeIfAbsent(kind, k -> new ArrayDeque<>()).size() >= depth) {
                  return;
                }
              }
              T made = make.get();
              synchronized (this) {
                ready
                    .computeIfAbsent(kind, k -> new ArrayDeque<>())
                    .add(new Ready<>(made, System.nanoTime()));
              }
            }
          } catch (RuntimeException e) {
            // requests then make their own, as without the queue
            LOG.warn("making {} ahead stopped: {}", kind, e.getMessage());
          } finally {
            synchronized (this) {
              refilling.remove(kind);
            }
          }
        });
  }
}
