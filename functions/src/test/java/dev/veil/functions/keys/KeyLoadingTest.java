package dev.veil.functions.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the key cache loads: hits never wait on loads or checks, loads are bounded per pool and per
 * container, failed loads are remembered, a bundle too big for the cache is refused once, bundles
 * are read no further than their parameters allow, and the storage being unreachable leaves cached
 * keys serving.
 */
class KeyLoadingTest {

  @TempDir Path dir;

  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private double count(String meter) {
    return registry.get(meter).counter().count();
  }

  /** A local store whose ETag checks can be made to fail (storage unreachable) or to hang. */
  private static final class FlakyStore implements KeyStore {
    final BlobKeyStore inner;
    volatile boolean down;
    volatile CountDownLatch etagGate = new CountDownLatch(0);

    FlakyStore(Path dir) {
      inner = BlobKeyStore.inFolder(dir, 1 << 20);
    }

    @Override
    public String id() {
      return inner.id();
    }

    @Override
    public OpenBundle open(KeyRef ref) {
      if (down) {
        throw new KeyLoadUnavailableException("storage down", 1);
      }
      return inner.open(ref);
    }

    @Override
    public String etag(KeyRef ref) {
      try {
        etagGate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (down) {
        throw new KeyLoadUnavailableException("storage down", 1);
      }
      return inner.etag(ref);
    }

    @Override
    public String upload(KeyRef ref, byte[] bundle) {
      return inner.upload(ref, bundle);
    }
  }

  private KeyCache<String> cache(
      KeyCacheTest.TextDecoder decoder, long maxBytes, KeyLoading loading) {
    return new KeyCache<>(decoder, maxBytes, Duration.ofMinutes(5), loading, registry, "keys");
  }

  @Test
  void aHitIsAnsweredWhileLoadsAndChecksAreStuck() throws Exception {
    FlakyStore store = new FlakyStore(dir);
    KeyRef cachedRef = new KeyRef("tenant-a", "cached");
    KeyRef slowRef = new KeyRef("tenant-b", "slow");
    store.upload(cachedRef, KeyCacheTest.bundle("cached-keys"));
    store.upload(slowRef, KeyCacheTest.bundle("slow-keys"));
    KeyCacheTest.TextDecoder decoder = new KeyCacheTest.TextDecoder();
    ExecutorService loader = Executors.newSingleThreadExecutor();
    ExecutorService checker = Executors.newSingleThreadExecutor();
    KeyCache<String> cache =
        cache(
            decoder,
            1 << 20,
            new KeyLoading(
                loader,
                checker,
                8,
                KeyLoadBudget.unbounded(),
                Duration.ZERO,
                Duration.ZERO,
                Integer.MAX_VALUE));
    try {
      assertEquals("cached-keys", cache.get(store, cachedRef).join());
      // The only loader thread decodes slowly and the only checker hangs on the storage.
      decoder.gate = new CountDownLatch(1);
      store.etagGate = new CountDownLatch(1);
      CompletableFuture<String> slow = cache.get(store, slowRef);
      for (int i = 0; i < 5; i++) {
        CompletableFuture<String> hit = cache.get(store, cachedRef);
        assertTrue(hit.isDone(), "a cached key is returned without waiting");
        assertEquals("cached-keys", hit.join());
      }
      assertTrue(!slow.isDone());
      decoder.gate.countDown();
      store.etagGate.countDown();
      assertEquals("slow-keys", slow.get(10, TimeUnit.SECONDS));
    } finally {
      decoder.gate.countDown();
      store.etagGate.countDown();
      loader.shutdownNow();
      checker.shutdownNow();
    }
  }

  @Test
  void cachedKeysKeepServingWhileTheStorageIsUnreachable() {
    FlakyStore store = new FlakyStore(dir);
    KeyRef ref = new KeyRef("tenant", "client");
    store.upload(ref, KeyCacheTest.bundle("keys-v1"));
    KeyCache<String> cache =
        cache(new KeyCacheTest.TextDecoder(), 1 << 20, KeyLoading.on(executor));
    assertEquals("keys-v1", cache.get(store, ref).join());
    store.down = true;
    Waits.until(
        () -> {
          assertEquals("keys-v1", cache.get(store, ref).join());
          return count("veil.keys.unverified") >= 2;
        },
        Duration.ofSeconds(10),
        "failed background checks are counted while the cached keys serve");
    // an uncached bundle cannot be served: the store's error, a 503
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> cache.get(store, new KeyRef("tenant", "other")).join());
    assertInstanceOf(KeyLoadUnavailableException.class, e.getCause());
  }

  @Test
  void aFailedLoadIsRememberedSoABadBundleIsReadOnce() {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyRef ref = new KeyRef("tenant", "junk");
    store.upload(ref, "not a bundle at all".getBytes(StandardCharsets.UTF_8));
    KeyCache<String> cache =
        cache(
            new KeyCacheTest.TextDecoder(),
            1 << 20,
            new KeyLoading(
                executor,
                executor,
                8,
                KeyLoadBudget.unbounded(),
                Duration.ZERO,
                Duration.ofHours(1),
                Integer.MAX_VALUE));
    for (int i = 0; i < 5; i++) {
      CompletionException e =
          assertThrows(CompletionException.class, () -> cache.get(store, ref).join());
      assertInstanceOf(InvalidKeyBundleException.class, e.getCause());
    }
    assertEquals(1.0, count("veil.keys.downloads"));
    assertEquals(4.0, count("veil.keys.failed.remembered"));
    // an announced replacement clears the memory (as does the TTL)
    String etag = store.upload(ref, KeyCacheTest.bundle("fixed"));
    cache.invalidate(ref, etag);
    assertEquals("fixed", cache.get(store, ref).join());
    // a missing bundle is not remembered: uploading it makes the next request work
    KeyRef later = new KeyRef("tenant", "later");
    assertInstanceOf(
        KeyBundleNotFoundException.class,
        assertThrows(CompletionException.class, () -> cache.get(store, later).join()).getCause());
    store.upload(later, KeyCacheTest.bundle("now-here"));
    assertEquals("now-here", cache.get(store, later).join());
  }

  @Test
  void loadsAreBoundedPerContainerAndByTheQueue() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    for (String c : new String[] {"aaa", "bbb"}) {
      for (int i = 1; i <= 3; i++) {
        store.upload(new KeyRef(c, "k" + i), KeyCacheTest.bundle(c + i));
      }
    }
    KeyCacheTest.TextDecoder decoder = new KeyCacheTest.TextDecoder();
    decoder.gate = new CountDownLatch(1);
    // one loader thread and two queue places
    ThreadPoolExecutor loader =
        new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(2));
    KeyCache<String> cache =
        cache(
            decoder,
            1 << 20,
            new KeyLoading(
                loader,
                executor,
                2,
                KeyLoadBudget.unbounded(),
                Duration.ofMinutes(1),
                Duration.ZERO,
                Integer.MAX_VALUE));
    try {
      CompletableFuture<String> a1 = cache.get(store, new KeyRef("aaa", "k1")); // running
      CompletableFuture<String> a2 = cache.get(store, new KeyRef("aaa", "k2")); // queued
      CompletionException perContainer =
          assertThrows(
              CompletionException.class, () -> cache.get(store, new KeyRef("aaa", "k3")).join());
      assertInstanceOf(KeyLoadUnavailableException.class, perContainer.getCause());
      assertTrue(
          perContainer.getCause().getMessage().contains("container 'aaa'"),
          perContainer.getCause().getMessage());
      CompletableFuture<String> b1 =
          cache.get(store, new KeyRef("bbb", "k1")); // queued: the queue is full now
      CompletionException queueFull =
          assertThrows(
              CompletionException.class, () -> cache.get(store, new KeyRef("bbb", "k2")).join());
      assertTrue(
          queueFull.getCause().getMessage().contains("queue is full"),
          queueFull.getCause().getMessage());
      assertEquals(2.0, count("veil.keys.rejected"));
      decoder.gate.countDown();
      assertEquals("aaa1", a1.get(10, TimeUnit.SECONDS));
      assertEquals("aaa2", a2.get(10, TimeUnit.SECONDS));
      assertEquals("bbb1", b1.get(10, TimeUnit.SECONDS));
      // refused loads were not remembered: they load once there is room
      assertEquals("aaa3", cache.get(store, new KeyRef("aaa", "k3")).get(10, TimeUnit.SECONDS));
    } finally {
      decoder.gate.countDown();
      loader.shutdownNow();
    }
  }

  @Test
  void requestsWaitingForLoadsAreBoundedSoWorkersStayFree() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyRef cached = new KeyRef("tenant", "cached");
    KeyRef slow = new KeyRef("tenant-b", "slow");
    KeyRef other = new KeyRef("tenant-c", "other");
    for (KeyRef ref : new KeyRef[] {cached, slow, other}) {
      store.upload(ref, KeyCacheTest.bundle(ref.keyId()));
    }
    KeyCacheTest.TextDecoder decoder = new KeyCacheTest.TextDecoder();
    KeyCache<String> cache =
        cache(
            decoder,
            1 << 20,
            new KeyLoading(
                executor,
                executor,
                8,
                KeyLoadBudget.unbounded(),
                Duration.ofMinutes(1),
                Duration.ZERO,
                1));
    assertEquals("cached", cache.await(store, cached));
    decoder.gate = new CountDownLatch(1);
    CompletableFuture<String> waiter =
        CompletableFuture.supplyAsync(() -> cache.await(store, slow));
    Waits.until(
        () -> cache.waitingForLoads() == 1,
        Duration.ofSeconds(10),
        "one request waits for its load");
    KeyLoadUnavailableException busy =
        assertThrows(KeyLoadUnavailableException.class, () -> cache.await(store, other));
    assertTrue(busy.getMessage().contains("already wait"), busy.getMessage());
    assertEquals("cached", cache.await(store, cached), "a cached key needs no waiting place");
    decoder.gate.countDown();
    assertEquals("slow", waiter.get(10, TimeUnit.SECONDS));
    // the refused request's load went on: the retry finds the keys cached
    Waits.until(
        () -> cache.get(store, other).isDone(),
        Duration.ofSeconds(10),
        "the refused request's load ends");
    assertEquals("other", cache.await(store, other));
  }

  @Test
  void aBundleBiggerThanTheWholeCacheIsRefusedOnceAndCounted() {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 1 << 20);
    KeyRef ref = new KeyRef("tenant", "huge");
    store.upload(ref, KeyCacheTest.bundle("h".repeat(500)));
    KeyCache<String> cache =
        cache(
            new KeyCacheTest.TextDecoder(),
            100,
            new KeyLoading(
                executor,
                executor,
                8,
                KeyLoadBudget.unbounded(),
                Duration.ZERO,
                Duration.ofHours(1),
                Integer.MAX_VALUE));
    for (int i = 0; i < 3; i++) {
      CompletionException e =
          assertThrows(CompletionException.class, () -> cache.get(store, ref).join());
      assertInstanceOf(InvalidKeyBundleException.class, e.getCause());
      assertTrue(
          e.getCause().getMessage().contains("more than this host's key cache holds (100 bytes)"),
          e.getCause().getMessage());
    }
    assertEquals(1.0, count("veil.keys.oversized"));
    assertEquals(1.0, count("veil.keys.downloads"), "not downloaded again and again");
  }

  @Test
  void theLoadBudgetRefusesWhatDoesNotFit() {
    KeyLoadBudget budget = new KeyLoadBudget(100);
    try (KeyLoadBudget.Reservation first = budget.reserve(60)) {
      KeyLoadUnavailableException e =
          assertThrows(KeyLoadUnavailableException.class, () -> budget.reserve(50));
      assertTrue(e.getMessage().contains("memory budget"));
      assertEquals(60, budget.reservedBytes());
    }
    try (KeyLoadBudget.Reservation whole =
        budget.reserve(1000)) { // bigger than the budget: takes all of it
      assertEquals(100, budget.reservedBytes());
      assertThrows(KeyLoadUnavailableException.class, () -> budget.reserve(1));
    }
    assertEquals(0, budget.reservedBytes());
  }

  /** An endless stream of one byte value that counts what was read from it. */
  private static final class Endless extends InputStream {
    final byte[] prefix;
    final AtomicLong read = new AtomicLong();

    Endless(byte[] prefix) {
      this.prefix = prefix;
    }

    @Override
    public int read() {
      long at = read.getAndIncrement();
      return at < prefix.length ? prefix[(int) at] & 0xFF : 'x';
    }
  }

  @Test
  void bundlesAreReadNoFurtherThanTheirParametersAllow() {
    Endless junk = new Endless(new byte[0]);
    assertThrows(InvalidKeyBundleException.class, () -> KeyBundle.read(junk, p -> 1000));
    assertTrue(junk.read.get() <= 10, "junk was read for " + junk.read.get() + " bytes");

    // Parameters, then Galois keys declaring 100 MB where the parameters allow 1000 bytes.
    byte[] params = "params".getBytes(StandardCharsets.UTF_8);
    ByteBuffer head =
        ByteBuffer.allocate(8 + 2 + 5 + params.length + 5).order(ByteOrder.LITTLE_ENDIAN);
    head.put("VEILKEYS".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .put((byte) 2)
        .put((byte) 1)
        .putInt(params.length)
        .put(params)
        .put((byte) 2)
        .putInt(100_000_000);
    Endless declared = new Endless(head.array());
    InvalidKeyBundleException e =
        assertThrows(InvalidKeyBundleException.class, () -> KeyBundle.read(declared, p -> 1000));
    assertTrue(e.getMessage().contains("more than the 1000 its parameters allow"), e.getMessage());
    assertEquals(head.array().length, declared.read.get(), "nothing read past the section header");

    // The parameters must come first, so that the keys' bound is known before they are read.
    ByteBuffer keysFirst = ByteBuffer.allocate(15).order(ByteOrder.LITTLE_ENDIAN);
    keysFirst
        .put("VEILKEYS".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .put((byte) 2)
        .put((byte) 2)
        .putInt(100_000_000);
    Endless early = new Endless(keysFirst.array());
    assertTrue(
        assertThrows(InvalidKeyBundleException.class, () -> KeyBundle.read(early, p -> 1000))
            .getMessage()
            .contains("first section must be the encryption parameters"));
  }

  @Test
  void aJunkBundleInTheStoreIsNotReadWhole() throws IOException {
    BlobKeyStore store = BlobKeyStore.inFolder(dir, 64L << 20);
    KeyRef ref = new KeyRef("tenant", "junk-32m");
    store.upload(ref, new byte[32 << 20]);
    KeyCache<String> cache =
        cache(new KeyCacheTest.TextDecoder(), 1 << 20, KeyLoading.on(executor));
    long before = allocatedBytes();
    CompletionException e =
        assertThrows(CompletionException.class, () -> cache.get(store, ref).join());
    assertInstanceOf(InvalidKeyBundleException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("VEILKEYS"), e.getCause().getMessage());
    // the load ran on the executor: count every thread's allocations
    assertTrue(
        allocatedBytes() - before < (16L << 20),
        "allocated " + (allocatedBytes() - before) + " bytes");
  }

  /** Bytes allocated by all threads so far (HotSpot's per-thread counters summed). */
  static long allocatedBytes() {
    var threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      total += Math.max(0, threads.getThreadAllocatedBytes(id));
    }
    return total;
  }
}
