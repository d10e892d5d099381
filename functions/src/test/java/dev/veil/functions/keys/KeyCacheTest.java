package dev.veil.functions.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key cache over the local-directory store (KeyCacheBlobTest runs the same behaviour against
 * Azurite).
 */
class KeyCacheTest {

  @TempDir Path dir;

  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  /** Decodes a bundle to its Galois section as text; weight = that section's length. */
  static final class TextDecoder implements KeyBundleDecoder<String> {
    final AtomicInteger decodes = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public String decode(KeyBundle bundle) {
      decodes.incrementAndGet();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new String(bundle.galoisKeys(), StandardCharsets.UTF_8);
    }

    @Override
    public long weightBytes(String keys) {
      return keys.length();
    }
  }

  static byte[] bundle(String galois) {
    return new KeyBundle(
            "params".getBytes(StandardCharsets.UTF_8),
            galois.getBytes(StandardCharsets.UTF_8),
            null)
        .encode();
  }

  private KeyCache<String> cache(TextDecoder decoder, long maxBytes) {
    return new KeyCache<>(decoder, maxBytes, Duration.ofMinutes(5), executor, registry, "keys");
  }

  private double downloads() {
    return registry.get("veil.keys.downloads").counter().count();
  }

  @Test
  void hundredConcurrentFirstRequestsShareOneDownload() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyRef ref = new KeyRef("keys", "client-1");
    store.upload(ref, bundle("galois-v1"));
    TextDecoder decoder = new TextDecoder();
    decoder.gate = new CountDownLatch(1);
    KeyCache<String> cache = cache(decoder, 1 << 20);

    List<CompletableFuture<String>> results = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService callers = Executors.newFixedThreadPool(16);
    List<CompletableFuture<CompletableFuture<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () -> {
                awaitQuietly(start);
                return cache.get(store, ref);
              },
              callers));
    }
    start.countDown();
    for (var call : calls) {
      results.add(call.get(10, TimeUnit.SECONDS));
    }
    decoder.gate.countDown(); // the single load finishes only after all 100 requests were issued
    for (var r : results) {
      assertEquals("galois-v1", r.get(10, TimeUnit.SECONDS));
    }
    callers.shutdownNow();
    assertEquals(1.0, downloads());
    assertEquals(1, decoder.decodes.get());
  }

  @Test
  void reuploadedBundleIsSwappedInAfterABackgroundCheck() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyRef ref = new KeyRef("keys", "client-2");
    String etag1 = store.upload(ref, bundle("galois-v1"));
    TextDecoder decoder = new TextDecoder();
    KeyCache<String> cache = cache(decoder, 1 << 20);

    assertEquals("galois-v1", cache.get(store, ref).join());
    assertEquals("galois-v1", cache.get(store, ref).join());
    assertEquals(1.0, downloads());

    String etag2 = store.upload(ref, bundle("galois-version-2"));
    assertNotEquals(etag1, etag2);
    // A hit answers from the cache at once and checks the ETag in the background; the new version
    // is
    // swapped in when it is loaded.
    Waits.until(
        () -> cache.get(store, ref).join().equals("galois-version-2"),
        Duration.ofSeconds(10),
        "the replaced bundle is loaded after a background ETag check");
    assertEquals(2.0, downloads());
    assertEquals(1.0, registry.get("veil.keys.stale").counter().count());
    assertEquals("galois-version-2", cache.get(store, ref).join());
    assertEquals(2.0, downloads());
  }

  @Test
  void deletedBundleIsDroppedAfterABackgroundCheck() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyRef ref = new KeyRef("keys", "client-3");
    store.upload(ref, bundle("galois-v1"));
    KeyCache<String> cache = cache(new TextDecoder(), 1 << 20);
    assertEquals("galois-v1", cache.get(store, ref).join());
    Files.delete(dir.resolve("keys").resolve("client-3"));
    Waits.until(
        () -> cache.get(store, ref).handle((keys, error) -> error != null).join(),
        Duration.ofSeconds(10),
        "the deleted bundle leaves the cache after a background ETag check");
    CompletionException e =
        assertThrows(CompletionException.class, () -> cache.get(store, ref).join());
    assertInstanceOf(KeyBundleNotFoundException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("client-3"));
  }

  @Test
  void evictsByWeightAndExportsStatistics() {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyCache<String> cache = cache(new TextDecoder(), 1000);
    for (int i = 0; i < 10; i++) {
      KeyRef ref = new KeyRef("keys", "big-" + i);
      store.upload(ref, bundle("x".repeat(400) + i));
      cache.get(store, ref).join();
    }
    // A load's weight reaches Caffeine in a completion callback that may run just after join()
    // returns,
    // so the evictions it causes can come a moment later.
    Waits.until(
        () -> {
          cache.cleanUp();
          return registry.get("cache.evictions").tag("cache", "keys").functionCounter().count()
              >= 8;
        },
        Duration.ofSeconds(10),
        "10 entries of 401 bytes under a 1000-byte bound: at least 8 evicted");
    assertTrue(cache.weightedBytes() <= 1000, "bytes kept: " + cache.weightedBytes());

    assertEquals(
        10.0,
        registry
            .get("cache.gets")
            .tag("cache", "keys")
            .tag("result", "miss")
            .functionCounter()
            .count());
    assertEquals(
        0.0,
        registry
            .get("cache.gets")
            .tag("cache", "keys")
            .tag("result", "hit")
            .functionCounter()
            .count());

    KeyRef small = new KeyRef("keys", "small");
    store.upload(small, bundle("s"));
    cache.get(store, small).join();
    cache.get(store, small).join();
    assertEquals(
        1.0,
        registry
            .get("cache.gets")
            .tag("cache", "keys")
            .tag("result", "hit")
            .functionCounter()
            .count());
    assertEquals(11.0, downloads());
    assertTrue(
        registry.get("cache.eviction.weight").tag("cache", "keys").functionCounter().count()
            >= 8 * 400);
  }

  @Test
  void missingBundleAndBadBundleFailWithTheirOwnErrors() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyCache<String> cache = cache(new TextDecoder(), 1 << 20);
    CompletionException missing =
        assertThrows(
            CompletionException.class, () -> cache.get(store, new KeyRef("keys", "nobody")).join());
    assertInstanceOf(KeyBundleNotFoundException.class, missing.getCause());

    KeyRef junk = new KeyRef("keys", "junk");
    store.upload(junk, "not a bundle".getBytes(StandardCharsets.UTF_8));
    CompletionException bad =
        assertThrows(CompletionException.class, () -> cache.get(store, junk).join());
    assertInstanceOf(InvalidKeyBundleException.class, bad.getCause());
    // a failed load is not cached: fixing the blob fixes the next request
    store.upload(junk, bundle("fixed"));
    assertEquals("fixed", cache.get(store, junk).join());
  }

  @Test
  void oversizedBundleIsRefusedBeforeReading() {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 100);
    KeyRef ref = new KeyRef("keys", "huge");
    store.upload(ref, bundle("y".repeat(500)));
    InvalidKeyBundleException e =
        assertThrows(InvalidKeyBundleException.class, () -> store.download(ref));
    assertTrue(e.getMessage().contains("above the limit"));
  }

  @Test
  void storesAreSeparateCacheKeys() {
    BlobKeyStore a = BlobKeyStore.inFolder(dir.resolve("a"), 1 << 20);
    BlobKeyStore b = BlobKeyStore.inFolder(dir.resolve("b"), 1 << 20);
    KeyRef ref = new KeyRef("keys", "same-id");
    a.upload(ref, bundle("from-a"));
    b.upload(ref, bundle("from-b"));
    KeyCache<String> cache = cache(new TextDecoder(), 1 << 20);
    assertEquals("from-a", cache.get(a, ref).join());
    assertEquals("from-b", cache.get(b, ref).join());
    assertSame(cache.get(a, ref).join(), cache.get(a, ref).join());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
