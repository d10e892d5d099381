package dev.veil.functions.keys;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Decoded evaluation keys, cached by (store, container, key id).
 *
 * <ul>
 *   <li>weighed by the decoded keys' bytes, bounded by {@code maxBytes};</li>
 *   <li>entries expire after {@code expireAfterAccess} without use;</li>
 *   <li>single-flight: concurrent first requests for one bundle share one download and one decode;</li>
 *   <li>never stale: a cached entry is served only after the store confirms its ETag is unchanged
 *       (a metadata request, no download); a changed or deleted bundle is reloaded or reported missing;</li>
 *   <li>a bundle found replaced is announced through {@link #onReplaced}; {@link #invalidate} drops the
 *       copies another node announced as replaced (the cluster passes the announcements around);</li>
 *   <li>statistics exported through Micrometer as {@code cache.*{cache=name}} plus
 *       {@code veil.keys.downloads} and {@code veil.keys.stale}.</li>
 * </ul>
 */
public final class KeyCache<T> {

    private final KeyBundleDecoder<T> decoder;
    private final Executor executor;
    private final AsyncLoadingCache<Entry, Loaded<T>> cache;
    private final Counter downloads;
    private final Counter stale;
    private volatile BiConsumer<KeyRef, String> onReplaced = (ref, etag) -> { };

    public KeyCache(KeyBundleDecoder<T> decoder, long maxBytes, Duration expireAfterAccess, Executor executor,
                    MeterRegistry registry, String name) {
        this.decoder = decoder;
        this.executor = executor;
        this.cache = Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Entry key, Loaded<T> value) -> (int) Math.min(Integer.MAX_VALUE, value.weightBytes()))
            .expireAfterAccess(expireAfterAccess)
            .executor(executor)
            .recordStats()
            .buildAsync((key, exec) -> CompletableFuture.supplyAsync(() -> load(key), exec));
        CaffeineCacheMetrics.monitor(registry, cache, name);
        this.downloads = Counter.builder("veil.keys.downloads").tag("cache", name)
            .description("key bundles downloaded from the key store").register(registry);
        this.stale = Counter.builder("veil.keys.stale").tag("cache", name)
            .description("cached key bundles found replaced (ETag changed) and reloaded").register(registry);
    }

    /** The decoded keys for {@code ref} in {@code store}; completes exceptionally with the store's or decoder's error. */
    public CompletableFuture<T> get(KeyStore store, KeyRef ref) {
        Entry key = new Entry(store, ref);
        // Peek without touching statistics, so a first request counts one miss (in get) and a cached one one hit.
        CompletableFuture<Loaded<T>> cached = cache.asMap().containsKey(key) ? cache.getIfPresent(key) : null;
        if (cached != null && cached.isCompletedExceptionally()) {
            // A failed load is never reused; Caffeine drops it too, but maybe only after its caller saw the failure.
            cache.asMap().remove(key, cached);
            return cache.get(key).thenApply(Loaded::keys);
        }
        if (cached == null) {
            // Nothing cached or loading: whatever get() returns is loaded after this call began.
            return cache.get(key).thenApply(Loaded::keys);
        }
        return cached.thenCompose(loaded -> CompletableFuture.supplyAsync(() -> store.etag(ref), executor)
            .handle((etag, error) -> {
                if (error == null && etag.equals(loaded.etag())) {
                    return CompletableFuture.completedFuture(loaded.keys());
                }
                cache.asMap().remove(key, cached);
                if (error != null) {
                    return CompletableFuture.<T>failedFuture(unwrap(error));
                }
                stale.increment();
                onReplaced.accept(key.ref, etag);
                return cache.get(key).thenApply(Loaded::keys);
            })
            .thenCompose(f -> f));
    }

    /** Called with (ref, new ETag) whenever this cache finds a cached bundle replaced in its store. */
    public void onReplaced(BiConsumer<KeyRef, String> listener) {
        this.onReplaced = listener;
    }

    /**
     * {@code ref} was replaced and now has {@code currentEtag}: drops loaded copies with another ETag (a copy
     * already reloaded, e.g. by the node that announced it, stays). A load still in flight is left alone; the
     * ETag check on its next use catches it if it read the old bundle.
     */
    public void invalidate(KeyRef ref, String currentEtag) {
        cache.asMap().forEach((key, future) -> {
            if (key.ref.equals(ref) && future.isDone() && !future.isCompletedExceptionally()
                && !future.join().etag().equals(currentEtag)) {
                cache.asMap().remove(key, future);
            }
        });
    }

    /** Drops every entry (an operator action, and how benchmarks measure a cold cache). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** Runs pending evictions now (Caffeine otherwise does it lazily). */
    public void cleanUp() {
        cache.synchronous().cleanUp();
    }

    /** The cached references ("container/keyId"), sorted; for the cluster admin summary. */
    public List<String> cachedRefs() {
        return cache.synchronous().asMap().keySet().stream().map(e -> e.ref.toString()).sorted().toList();
    }

    /** Total weight (decoded key bytes) of the cached entries. */
    public long weightedBytes() {
        return cache.synchronous().policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    private Loaded<T> load(Entry key) {
        KeyStore.StoredBundle stored = key.store.download(key.ref);
        downloads.increment();
        T keys = decoder.decode(KeyBundle.decode(stored.bytes()));
        return new Loaded<>(keys, stored.etag(), decoder.weightBytes(keys));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private record Loaded<T>(T keys, String etag, long weightBytes) {
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
