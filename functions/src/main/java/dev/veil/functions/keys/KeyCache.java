package dev.veil.functions.keys;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Decoded evaluation keys, cached by (store, container, key id).
 *
 * <ul>
 *   <li>weighed by the decoded keys' bytes, bounded by {@code maxBytes}; a bundle whose keys alone
 *       exceed the bound is refused (400), logged once and counted in {@code veil.keys.oversized},
 *       never silently downloaded again and again;
 *   <li>entries expire after {@code expireAfterAccess} without use;
 *   <li>single-flight: concurrent first requests for one bundle share one download and one decode;
 *   <li>a hit never waits: the cached keys are returned at once; at most every {@code
 *       revalidateAfter} a hit schedules an ETag check (a metadata request) in the background. A
 *       replaced bundle is reloaded in the background and swapped in; a deleted one is dropped;
 *       when the check fails (storage unreachable) the cached copy keeps serving and {@code
 *       veil.keys.unverified} counts it;
 *   <li>loads run on the bounded loader pool of {@link KeyLoading}, at most {@code loadsPerOwner}
 *       per container; a load that does not fit is refused with {@link KeyLoadUnavailableException}
 *       (503);
 *   <li>an invalid bundle's error is remembered for {@code failedLoadTtl}: a bomb costs one load,
 *       not one per request ({@code veil.keys.failed.remembered});
 *   <li>a bundle found replaced is announced through {@link #onReplaced}; {@link #invalidate} drops
 *       the copies another node announced as replaced (the cluster passes the announcements
 *       around);
 *   <li>statistics exported through Micrometer as {@code cache.*{cache=name}} plus the {@code
 *       veil.keys.*} counters named here and {@code veil.keys.downloads}, {@code veil.keys.stale},
 *       {@code veil.keys.rejected}.
 * </ul>
 */
public final class KeyCache<T> {

  private static final Logger LOG = Logger.getLogger(KeyCache.class.getName());

  private final KeyBundleDecoder<T> decoder;
  private final long maxBytes;
  private final KeyLoading loading;
  private final AsyncLoadingCache<Entry, Loaded<T>> cache;
  private final Cache<Entry, RuntimeException> failures;
  private final Map<String, Integer> loadsByOwner = new ConcurrentHashMap<>();
  private final Map<String, Boolean> oversizedLogged = new ConcurrentHashMap<>();
  private final Semaphore waiting;
  private final Counter downloads;
  private final Counter stale;
  private final Counter unverified;
  private final Counter rejected;
  private final Counter remembered;
  private final Counter oversized;
  private volatile BiConsumer<KeyRef, String> onReplaced = (ref, etag) -> {};

  /**
   * Loads on {@code executor} without limits, checking the ETag on every hit (in the background).
   */
  public KeyCache(
      KeyBundleDecoder<T> decoder,
      long maxBytes,
      Duration expireAfterAccess,
      Executor executor,
      MeterRegistry registry,
      String name) {
    this(decoder, maxBytes, expireAfterAccess, KeyLoading.on(executor), registry, name);
  }

  public KeyCache(
      KeyBundleDecoder<T> decoder,
      long maxBytes,
      Duration expireAfterAccess,
      KeyLoading loading,
      MeterRegistry registry,
      String name) {
    this.decoder = decoder;
    this.maxBytes = maxBytes;
    this.loading = loading;
    this.waiting = new Semaphore(loading.waitingRequests());
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(
                (Entry key, Loaded<T> value) ->
                    (int) Math.min(Integer.MAX_VALUE, value.weightBytes))
            .expireAfterAccess(expireAfterAccess)
            .recordStats()
            .buildAsync((key, exec) -> startLoad(key));
    this.failures =
        Caffeine.newBuilder()
            .expireAfterWrite(
                loading.failedLoadTtl().isZero() ? Duration.ofNanos(1) : loading.failedLoadTtl())
            .maximumSize(10_000)
            .build();
    CaffeineCacheMetrics.monitor(registry, cache, name);
    this.downloads =
        counter(registry, "veil.keys.downloads", name, "key bundles downloaded from the key store");
    this.stale =
        counter(
            registry,
            "veil.keys.stale",
            name,
            "cached key bundles found replaced (ETag changed) and reloaded");
    this.unverified =
        counter(
            registry,
            "veil.keys.unverified",
            name,
            "ETag checks that failed (storage unreachable): the cached keys kept serving");
    this.rejected =
        counter(
            registry,
            "veil.keys.rejected",
            name,
            "key loads refused for the loader queue, the per-container limit or the memory budget (503)");
    this.remembered =
        counter(
            registry,
            "veil.keys.failed.remembered",
            name,
            "requests answered from a remembered failed load without loading again");
    this.oversized =
        counter(
            registry,
            "veil.keys.oversized",
            name,
            "bundles refused because their decoded keys exceed the whole cache bound");
  }

  private static Counter counter(
      MeterRegistry registry, String meter, String cache, String description) {
    return Counter.builder(meter).tag("cache", cache).description(description).register(registry);
  }

  /**
   * The decoded keys for {@code ref} in {@code store}; completes exceptionally with the store's or
   * decoder's error.
   */
  public CompletableFuture<T> get(KeyStore store, KeyRef ref) {
    Entry key = new Entry(store, ref);
    if (!loading.failedLoadTtl().isZero()) {
      RuntimeException failed = failures.getIfPresent(key);
      if (failed != null) {
        remembered.increment();
        return CompletableFuture.failedFuture(failed);
      }
    }
    // Peek without touching statistics, so a first request counts one miss (in get) and a cached
    // one one hit.
    CompletableFuture<Loaded<T>> cached =
        cache.asMap().containsKey(key) ? cache.getIfPresent(key) : null;
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      Loaded<T> loaded = cached.join();
      if (loaded.error == null) {
        revalidateIfDue(key, cached, loaded);
        return CompletableFuture.completedFuture(loaded.keys);
      }
      // A failed load is never reused; it is dropped as it completes, maybe just after its caller
      // saw it.
      cache.asMap().remove(key, cached);
    }
    // Nothing cached, or a load in flight that this request joins.
    return cache.get(key).thenApply(KeyCache::keysOrThrow);
  }

  /**
   * The decoded keys, blocking the calling (worker) thread only when they must be loaded, and then
   * only if fewer than {@link KeyLoading#waitingRequests} requests already wait: the others get
   * {@link KeyLoadUnavailableException} at once (503) and leave their threads to requests with
   * cached keys. The load goes on either way, so a retry finds the keys cached. Throws the store's
   * or decoder's error.
   */
  public T await(KeyStore store, KeyRef ref) {
    CompletableFuture<T> keys = get(store, ref);
    try {
      if (keys.isDone()) {
        return keys.join();
      }
      if (!waiting.tryAcquire()) {
        rejected.increment();
        throw new KeyLoadUnavailableException(
            "key bundle "
                + ref
                + " is loading and "
                + loading.waitingRequests()
                + " requests already wait for key loads; retry shortly",
            1);
      }
      try {
        return keys.join();
      } finally {
        waiting.release();
      }
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Requests blocked in {@link #await} right now. */
  public int waitingForLoads() {
    return loading.waitingRequests() - waiting.availablePermits();
  }

  /**
   * Called with (ref, new ETag) whenever this cache finds a cached bundle replaced in its store.
   */
  public void onReplaced(BiConsumer<KeyRef, String> listener) {
    this.onReplaced = listener;
  }

  /**
   * {@code ref} was replaced and now has {@code currentEtag}: drops loaded copies with another ETag
   * (a copy already reloaded, e.g. by the node that announced it, stays) and a remembered failure.
   * A load still in flight is left alone, and so is a copy being checked or reloaded in the
   * background (that check sees the new ETag itself); the next ETag check catches a load that read
   * the old bundle.
   */
  public void invalidate(KeyRef ref, String currentEtag) {
    failures.asMap().keySet().removeIf(key -> key.ref.equals(ref));
    cache
        .asMap()
        .forEach(
            (key, future) -> {
              if (key.ref.equals(ref)
                  && future.isDone()
                  && !future.isCompletedExceptionally()
                  && future.join().error == null
                  && !future.join().etag.equals(currentEtag)
                  && !future.join().checking.get()) {
                cache.asMap().remove(key, future);
              }
            });
  }

  /** Drops every entry (an operator action, and how benchmarks measure a cold cache). */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
    failures.invalidateAll();
  }

  /** Runs pending evictions now (Caffeine otherwise does it lazily). */
  public void cleanUp() {
    cache.synchronous().cleanUp();
  }

  /** The cached references ("container/keyId"), sorted; for the cluster admin summary. */
  public List<String> cachedRefs() {
    return cache.synchronous().asMap().keySet().stream()
        .map(e -> e.ref.toString())
        .sorted()
        .toList();
  }

  /** The bound on {@link #weightedBytes()}: the cache evicts beyond it. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Total weight (decoded key bytes) of the cached entries. */
  public long weightedBytes() {
    return cache.synchronous().policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  private static <T> T keysOrThrow(Loaded<T> loaded) {
    if (loaded.error != null) {
      throw loaded.error;
    }
    return loaded.keys;
  }

  /**
   * Queues a load on the loader pool, unless the pool or the bundle's owner is at its limit. A
   * failure completes the future normally with the error inside (and drops the entry): Caffeine
   * would log every failed load with its stack trace, and most are the client's (a bad bundle),
   * answered with a 4xx.
   */
  private CompletableFuture<Loaded<T>> startLoad(Entry key) {
    CompletableFuture<Loaded<T>> result = new CompletableFuture<>();
    result.thenAccept(
        loaded -> {
          if (loaded.error != null) {
            cache.asMap().remove(key, result);
          }
        });
    String owner = key.store.id() + "\n" + key.ref.container();
    int running = loadsByOwner.merge(owner, 1, Integer::sum);
    if (running > loading.loadsPerOwner()) {
      endLoad(owner);
      rejected.increment();
      result.complete(
          Loaded.failed(
              new KeyLoadUnavailableException(
                  loading.loadsPerOwner()
                      + " key bundles of container '"
                      + key.ref.container()
                      + "' are already loading; retry shortly",
                  1)));
      return result;
    }
    try {
      loading
          .loaders()
          .execute(
              () -> {
                Loaded<T> loaded;
                try {
                  loaded = load(key);
                } catch (RuntimeException e) {
                  if (e instanceof InvalidKeyBundleException invalid
                      && !loading.failedLoadTtl().isZero()) {
                    failures.put(key, invalid);
                  }
                  loaded = Loaded.failed(e);
                } catch (Error e) {
                  endLoad(owner);
                  result.completeExceptionally(e);
                  throw e;
                }
                endLoad(
                    owner); // before anyone sees the outcome, so a next load of the owner counts
                // right
                result.complete(loaded);
              });
    } catch (RejectedExecutionException e) {
      endLoad(owner);
      rejected.increment();
      result.complete(
          Loaded.failed(
              new KeyLoadUnavailableException("the key loader queue is full; retry shortly", 1)));
    }
    return result;
  }

  private void endLoad(String owner) {
    loadsByOwner.computeIfPresent(owner, (o, n) -> n <= 1 ? null : n - 1);
  }

  private Loaded<T> load(Entry key) {
    KeyBundle bundle;
    String etag;
    try (KeyStore.OpenBundle open = key.store.open(key.ref)) {
      downloads.increment();
      etag = open.etag();
      bundle = KeyBundle.read(open.stream(), decoder::maxKeySectionBytes);
    } catch (IOException | UncheckedIOException e) {
      throw new KeyLoadUnavailableException(
          "reading key bundle " + key.ref + " from the key storage failed; " + "retry shortly", 1);
    }
    T keys;
    try (KeyLoadBudget.Reservation ignored =
        loading.budget().reserve(decoder.decodeBytes(bundle) + bundle.sizeBytes())) {
      keys = decoder.decode(bundle);
    }
    long weight = decoder.weightBytes(keys);
    if (weight > maxBytes) {
      oversized.increment();
      if (oversizedLogged.putIfAbsent(key.ref + " " + etag, Boolean.TRUE) == null
          && oversizedLogged.size() < 10_000) {
        LOG.warning(
            "key bundle "
                + key.ref
                + " decodes to "
                + weight
                + " bytes, more than the whole key cache ("
                + maxBytes
                + " bytes): refused; raise "
                + KeyStoreSettings.CACHE_MAX_BYTES
                + " to serve it");
      }
      throw new InvalidKeyBundleException(
          "key bundle '"
              + key.ref
              + "' decodes to "
              + weight
              + " bytes of keys, more than this host's key cache holds ("
              + maxBytes
              + " bytes)");
    }
    return new Loaded<>(keys, etag, weight);
  }

  /**
   * Schedules one background ETag check of a cached bundle when the last one is older than
   * revalidateAfter.
   */
  private void revalidateIfDue(Entry key, CompletableFuture<Loaded<T>> cached, Loaded<T> loaded) {
    if (System.nanoTime() - loaded.checkedAt < loading.revalidateAfter().toNanos()
        || !loaded.checking.compareAndSet(false, true)) {
      return;
    }
    try {
      loading.revalidators().execute(() -> revalidate(key, cached, loaded));
    } catch (RejectedExecutionException e) {
      loaded.checking.set(false); // the next hit tries again
    }
  }

  private void revalidate(Entry key, CompletableFuture<Loaded<T>> cached, Loaded<T> loaded) {
    boolean reloading = false;
    try {
      String etag = key.store.etag(key.ref);
      if (etag.equals(loaded.etag)) {
        return;
      }
      stale.increment();
      onReplaced.accept(key.ref, etag);
      // The old keys serve until the new ones are decoded (no further check of the old copy
      // meanwhile); a
      // new version that fails to load drops the old copy, so the next request sees the
      // (remembered) error.
      reloading = true;
      startLoad(key)
          .whenComplete(
              (fresh, error) -> {
                Throwable failure = error != null ? error : fresh.error;
                if (failure == null) {
                  cache.asMap().replace(key, cached, CompletableFuture.completedFuture(fresh));
                } else if (!(unwrap(failure) instanceof KeyLoadUnavailableException)) {
                  cache.asMap().remove(key, cached);
                }
                loaded.checkedAt = System.nanoTime();
                loaded.checking.set(false);
              });
    } catch (KeyBundleNotFoundException e) {
      cache.asMap().remove(key, cached);
    } catch (RuntimeException e) {
      unverified.increment();
    } finally {
      if (!reloading) {
        loaded.checkedAt = System.nanoTime();
        loaded.checking.set(false);
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /**
   * Decoded keys with the ETag they were read at and when that ETag was last confirmed; or, for a
   * failed load, its error (kept only until the entry is dropped).
   */
  private static final class Loaded<T> {
    final T keys;
    final String etag;
    final long weightBytes;
    final RuntimeException error;
    final AtomicBoolean checking = new AtomicBoolean();
    volatile long checkedAt = System.nanoTime();

    Loaded(T keys, String etag, long weightBytes) {
      this(keys, etag, weightBytes, null);
    }

    private Loaded(T keys, String etag, long weightBytes, RuntimeException error) {
      this.keys = keys;
      this.etag = etag;
      this.weightBytes = weightBytes;
      this.error = error;
    }

    static <T> Loaded<T> failed(RuntimeException error) {
      return new Loaded<>(null, "", 0, error);
    }
  }

  /** Cache key: equal when the store's identity and the reference are equal. */
  private static final class Entry {
    final KeyStore store;
    final KeyRef ref;

    Entry(KeyStore store, KeyRef ref) {
      this.store = store;
      this.ref = ref;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && e.store.id().equals(store.id()) && e.ref.equals(ref);
    }

    @Override
    public int hashCode() {
      return Objects.hash(store.id(), ref);
    }
  }
}
