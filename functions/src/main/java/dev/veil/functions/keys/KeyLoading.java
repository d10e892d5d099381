package dev.veil.functions.keys;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How a key cache loads bundles, kept apart from what cached keys need (nothing: a hit never waits
 * on these).
 *
 * @param loaders downloads and decodes; bounded (threads and queue): a full pool refuses a load
 *     (503)
 * @param revalidators background ETag checks of cached bundles; a full pool skips a check until the
 *     next hit
 * @param loadsPerOwner loads queued or running at once for one key owner (store and container)
 * @param budget memory all loads may take at once
 * @param revalidateAfter a cached bundle's ETag is checked at most this often, off the request path
 * @param failedLoadTtl how long an invalid bundle's error is remembered and returned without
 *     loading again
 * @param waitingRequests requests that may block at once waiting for a load ({@link
 *     KeyCache#await}): each holds a worker thread, which requests with cached keys need
 */
public record KeyLoading(
    Executor loaders,
    Executor revalidators,
    int loadsPerOwner,
    KeyLoadBudget budget,
    Duration revalidateAfter,
    Duration failedLoadTtl,
    int waitingRequests) {

  /**
   * Everything on {@code executor}, without limits: every hit schedules a check, failures are not
   * remembered (tests, tools).
   */
  public static KeyLoading on(Executor executor) {
    return new KeyLoading(
        executor,
        executor,
        Integer.MAX_VALUE,
        KeyLoadBudget.unbounded(),
        Duration.ZERO,
        Duration.ZERO,
        Integer.MAX_VALUE);
  }

  /** The host's: its own daemon pools, sized and bounded by the settings. */
  public static KeyLoading from(KeyStoreSettings settings) {
    return new KeyLoading(
        pool("veil-key-loader-", settings.loaderThreads(), settings.loadQueue()),
        pool("veil-key-revalidate-", 2, 256),
        settings.loadsPerContainer(),
        new KeyLoadBudget(settings.loadBudgetBytes()),
        settings.revalidateAfter(),
        settings.failedLoadTtl(),
        settings.waitingRequests());
  }

  private static ThreadPoolExecutor pool(String name, int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(Math.max(1, queue)),
            r -> {
              Thread t = new Thread(r, name + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
