package dev.veil.functions.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.testkit.Azurite;
import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The key cache over the Azure Blob SDK store, against a real Azurite. */
class KeyCacheBlobTest {

  private final ExecutorService executor = Executors.newFixedThreadPool(8);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final BlobKeyStore store =
      BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1 << 20);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private double downloads() {
    return registry.get("veil.keys.downloads").counter().count();
  }

  @Test
  void singleFlightEtagRevalidationAndMissingBundles() throws Exception {
    KeyRef ref = new KeyRef("veil-keys-test", "client-" + System.nanoTime());
    String etag1 = store.upload(ref, KeyCacheTest.bundle("galois-v1"));
    KeyCacheTest.TextDecoder decoder = new KeyCacheTest.TextDecoder();
    decoder.gate = new CountDownLatch(1);
    KeyCache<String> cache =
        new KeyCache<>(decoder, 1 << 20, Duration.ofMinutes(5), executor, registry, "keys");

    ExecutorService callers = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<CompletableFuture<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return cache.get(store, ref);
              },
              callers));
    }
    start.countDown();
    List<CompletableFuture<String>> results = new ArrayList<>();
    for (var call : calls) {
      results.add(call.get(30, TimeUnit.SECONDS));
    }
    decoder.gate.countDown();
    for (var r : results) {
      assertEquals("galois-v1", r.get(30, TimeUnit.SECONDS));
    }
    callers.shutdownNow();
    assertEquals(1.0, downloads(), "100 concurrent first requests, one download");

    String etag2 = store.upload(ref, KeyCacheTest.bundle("galois-v2"));
    assertNotEquals(etag1, etag2);
    Waits.until(
        () -> cache.get(store, ref).join().equals("galois-v2"),
        Duration.ofSeconds(10),
        "the replaced blob is loaded after a background ETag check");
    assertEquals(2.0, downloads());
    assertEquals(1.0, registry.get("veil.keys.stale").counter().count());
    assertEquals("galois-v2", cache.get(store, ref).join());
    assertEquals(2.0, downloads());
    assertTrue(registry.get("cache.gets").tag("result", "hit").functionCounter().count() >= 1);

    CompletionException missing =
        assertThrows(
            CompletionException.class,
            () ->
                cache
                    .get(store, new KeyRef("veil-keys-test", "nobody-" + System.nanoTime()))
                    .join());
    assertInstanceOf(KeyBundleNotFoundException.class, missing.getCause());
    CompletionException noContainer =
        assertThrows(
            CompletionException.class,
            () ->
                cache
                    .get(store, new KeyRef("no-such-container-" + System.nanoTime() % 1000, "x"))
                    .join());
    assertInstanceOf(KeyBundleNotFoundException.class, noContainer.getCause());
  }

  @Test
  void oversizedBlobIsRefusedBeforeDownload() {
    BlobKeyStore small = BlobKeyStore.fromConnectionString(Azurite.connectionString(), 100);
    KeyRef ref = new KeyRef("veil-keys-test", "huge-" + System.nanoTime());
    small.upload(ref, KeyCacheTest.bundle("z".repeat(1000)));
    InvalidKeyBundleException e =
        assertThrows(InvalidKeyBundleException.class, () -> small.download(ref));
    assertTrue(e.getMessage().contains("above the limit"));
  }

  @Test
  void aJunkBlobIsRefusedAfterItsFirstBlock() {
    BlobKeyStore roomy = BlobKeyStore.fromConnectionString(Azurite.connectionString(), 128L << 20);
    KeyRef ref = new KeyRef("veil-keys-test", "junk-" + System.nanoTime());
    roomy.upload(ref, new byte[96 << 20]);
    KeyCache<String> cache =
        new KeyCache<>(
            new KeyCacheTest.TextDecoder(),
            1 << 20,
            Duration.ofMinutes(5),
            executor,
            registry,
            "keys");
    long before = KeyLoadingTest.allocatedBytes();
    CompletionException e =
        assertThrows(CompletionException.class, () -> cache.get(roomy, ref).join());
    assertInstanceOf(InvalidKeyBundleException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("VEILKEYS"), e.getCause().getMessage());
    // streamed in 8 MiB blocks: the 400 comes after the first one (about 36 MB of allocations in
    // the SDK's
    // buffers), not after the 96 MiB were read into the heap
    long allocated = KeyLoadingTest.allocatedBytes() - before;
    assertTrue(
        allocated < (64L << 20), "allocated " + allocated + " bytes to refuse a 96 MiB junk blob");
  }

  @Test
  void malformedConnectionStringDoesNotEchoIt() {
    InvalidKeyRefException e =
        assertThrows(
            InvalidKeyRefException.class,
            () -> BlobKeyStore.fromConnectionString("AccountKey=secret-value;garbage", 100));
    assertTrue(!e.getMessage().contains("secret-value"), e.getMessage());
  }
}
