package dev.veil.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.storage.BlobConflictException.Reason;
import dev.veil.storage.BlobStore.BlobInfo;
import dev.veil.storage.BlobStore.Conditions;
import dev.veil.storage.BlobStore.OpenBlob;
import dev.veil.storage.BlobStore.Page;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} does, run against Azurite and against a local folder. */
abstract class BlobStoreContract {
  private static final Duration LEASE = Duration.ofSeconds(15);

  /** The store under test (one per test class). */
  abstract BlobStore store();

  /** Lets {@code time} pass for the store's leases. */
  abstract void passTime(Duration time) throws InterruptedException;

  static String newContainer() {
    return "c-" + UUID.randomUUID().toString().substring(0, 12);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void writesReadsAndDescribesVersions() {
    String c = newContainer();
    String etag = store().write(c, "dir/a.txt", bytes("hello"));
    BlobInfo info = store().properties(c, "dir/a.txt");
    assertEquals(new BlobInfo("dir/a.txt", etag, 5), info);
    assertArrayEquals(bytes("hello"), store().read(c, "dir/a.txt"));

    String replaced = store().write(c, "dir/a.txt", bytes("hello, world"));
    assertNotEquals(etag, replaced, "a new version gets a new ETag");
    assertEquals(12, store().properties(c, "dir/a.txt").size());
    assertArrayEquals(bytes("hello, world"), store().read(c, "dir/a.txt"));
    store().write(c, "empty", new byte[0]);
    assertEquals(0, store().properties(c, "empty").size(), "an empty blob exists");
  }

  @Test
  void writesAndStreamsBlobsOfManyBlocks() throws Exception {
    String c = newContainer();
    byte[] large = new byte[9 * 1024 * 1024 + 7];
    new Random(14).nextBytes(large);
    String etag = store().write(c, "large.bin", large);
    try (OpenBlob open = store().open(c, "large.bin", Conditions.ifMatch(etag))) {
      assertEquals(large.length, open.info().size());
      assertArrayEquals(large, open.stream().readAllBytes());
    }
  }

  @Test
  void missingBlobsAndContainersAreNotFound() {
    String c = newContainer();
    assertEquals(new Page(List.of(), null), store().list(c, "", null));
    BlobNotFoundException e =
        assertThrows(BlobNotFoundException.class, () -> store().properties(c, "x"));
    assertEquals(c, e.container());
    assertEquals("x", e.name());
    assertThrows(BlobNotFoundException.class, () -> store().read(c, "x"));
    store().write(c, "y", bytes("y"));
    assertThrows(BlobNotFoundException.class, () -> store().open(c, "x"));
    assertThrows(BlobNotFoundException.class, () -> store().acquireLease(c, "x", LEASE));
    assertFalse(store().delete(c, "x", Conditions.NONE));
  }

  @Test
  void listsByPrefixInPages() {
    String c = newContainer();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      store().write(c, "in/" + i + ".csv", bytes("row" + i));
      expected.add("in/" + i + ".csv");
      store().write(c, "out/" + i + ".csv", bytes("x"));
    }
    store().write(c, "in/deep/z.csv", bytes("z"));
    expected.add("in/deep/z.csv");
    List<String> seen = new ArrayList<>();
    int pages = 0;
    String token = null;
    do {
      Page page = store().list(c, "in/", token, 3);
      assertTrue(page.items().size() <= 3, "page size is honoured");
      for (BlobInfo item : page.items()) {
        seen.add(item.name());
        assertEquals(
            store().properties(c, item.name()),
            item,
            "a listing carries each blob's ETag and size");
      }
      token = page.continuation();
      pages++;
    } while (token != null);
    assertEquals(expected.stream().sorted().toList(), seen);
    assertEquals(3, pages);
    assertEquals(15, store().list(c, "", null).items().size());
  }

  @Test
  void conditionalWritesCompareEtags() {
    String c = newContainer();
    String first = store().write(c, "b", bytes("1"), Conditions.ifNotExists());
    BlobConflictException exists =
        assertThrows(
            BlobConflictException.class,
            () -> store().write(c, "b", bytes("2"), Conditions.ifNotExists()));
    assertEquals(Reason.ALREADY_EXISTS, exists.reason());

    String second = store().write(c, "b", bytes("2"), Conditions.ifMatch(first));
    BlobConflictException stale =
        assertThrows(
            BlobConflictException.class,
            () -> store().write(c, "b", bytes("3"), Conditions.ifMatch(first)));
    assertEquals(Reason.ETAG_MISMATCH, stale.reason());
    assertArrayEquals(bytes("2"), store().read(c, "b"), "a refused write changes nothing");
    assertEquals(second, store().properties(c, "b").etag());

    assertEquals(
        Reason.ETAG_MISMATCH,
        assertThrows(
                BlobConflictException.class,
                () -> store().write(c, "new", bytes("x"), Conditions.ifMatch(first)))
            .reason(),
        "If-Match on a missing blob fails");
    assertEquals(
        Reason.ETAG_MISMATCH,
        assertThrows(
                BlobConflictException.class,
                () -> store().delete(c, "b", Conditions.ifMatch(first)))
            .reason());
    assertTrue(store().delete(c, "b", Conditions.ifMatch(second)));
    assertThrows(BlobNotFoundException.class, () -> store().properties(c, "b"));
  }

  @Test
  void conditionalReadsPinAVersion() throws Exception {
    String c = newContainer();
    String first = store().write(c, "b", bytes("first"));
    try (OpenBlob open = store().open(c, "b", Conditions.ifMatch(first))) {
      assertEquals(new BlobInfo("b", first, 5), open.info());
      assertArrayEquals(bytes("first"), open.stream().readAllBytes());
    }
    String second = store().write(c, "b", bytes("second"));
    assertEquals(
        Reason.ETAG_MISMATCH,
        assertThrows(
                BlobConflictException.class, () -> store().open(c, "b", Conditions.ifMatch(first)))
            .reason());
    assertThrows(
        BlobConflictException.class,
        () -> store().open(c, "b", Conditions.ifNoneMatch(second)),
        "not modified since the ETag the caller has");
    try (OpenBlob open = store().open(c, "b", Conditions.ifNoneMatch(first))) {
      assertEquals(second, open.info().etag());
      assertArrayEquals(bytes("second"), open.stream().readAllBytes());
    }
  }

  @Test
  void oneOfManyRacingConditionalWritesWins() throws Exception {
    String c = newContainer();
    String base = store().write(c, "counter", bytes("0"));
    int writers = 8;
    AtomicInteger won = new AtomicInteger();
    AtomicInteger lost = new AtomicInteger();
    race(
        writers,
        i -> {
          try {
            store().write(c, "counter", bytes("writer " + i), Conditions.ifMatch(base));
            won.incrementAndGet();
          } catch (BlobConflictException e) {
            lost.incrementAndGet();
          }
        });
    assertEquals(1, won.get(), "exactly one compare-and-swap succeeds");
    assertEquals(writers - 1, lost.get());
  }

  @Test
  void writersRacingIntoANewContainerAllLand() throws Exception {
    String c = newContainer();
    race(8, i -> store().write(c, "blob" + i, bytes("blob" + i)));
    assertEquals(8, store().list(c, "", null).items().size());
  }

  @Test
  void aLeaseExcludesOthersUntilReleased() {
    String c = newContainer();
    store().write(c, "lock", new byte[0]);
    String id = store().acquireLease(c, "lock", LEASE).orElseThrow();
    assertEquals(Optional.empty(), store().acquireLease(c, "lock", LEASE), "held by another");

    assertEquals(
        Reason.LEASE,
        assertThrows(BlobConflictException.class, () -> store().write(c, "lock", bytes("x")))
            .reason(),
        "a write to a leased blob must name the lease");
    assertEquals(
        Reason.LEASE,
        assertThrows(
                BlobConflictException.class,
                () ->
                    store()
                        .write(
                            c, "lock", bytes("x"), Conditions.lease(UUID.randomUUID().toString())))
            .reason());
    assertEquals(
        Reason.LEASE,
        assertThrows(BlobConflictException.class, () -> store().delete(c, "lock", Conditions.NONE))
            .reason());
    store().write(c, "lock", bytes("state"), Conditions.lease(id));
    assertArrayEquals(bytes("state"), store().read(c, "lock"), "reads need no lease");

    store().renewLease(c, "lock", id);
    assertEquals(
        Reason.LEASE,
        assertThrows(
                BlobConflictException.class,
                () -> store().renewLease(c, "lock", UUID.randomUUID().toString()))
            .reason());
    assertThrows(
        BlobConflictException.class,
        () -> store().releaseLease(c, "lock", UUID.randomUUID().toString()));
    store().releaseLease(c, "lock", id);

    assertThrows(
        BlobConflictException.class, () -> store().renewLease(c, "lock", id), "released is lost");
    assertEquals(
        Reason.LEASE,
        assertThrows(
                BlobConflictException.class,
                () -> store().write(c, "lock", bytes("y"), Conditions.lease(id)))
            .reason(),
        "no lease is active");
    String next = store().acquireLease(c, "lock", LEASE).orElseThrow();
    assertNotEquals(id, next);
    assertTrue(store().delete(c, "lock", Conditions.lease(next)));
  }

  @Test
  void leaseDurationsAreAzures() {
    String c = newContainer();
    store().write(c, "b", new byte[0]);
    for (Duration bad :
        List.of(Duration.ofSeconds(14), Duration.ofSeconds(61), Duration.ofMillis(15500))) {
      assertThrows(
          IllegalArgumentException.class, () -> store().acquireLease(c, "b", bad), bad.toString());
    }
    assertTrue(store().acquireLease(c, "b", Duration.ofSeconds(60)).isPresent());
  }

  @Test
  void anExpiredLeaseIsFreeAndRenewableUntilTaken() throws Exception {
    String c = newContainer();
    store().write(c, "kept", new byte[0]);
    store().write(c, "taken", new byte[0]);
    String kept = store().acquireLease(c, "kept", LEASE).orElseThrow();
    String lost = store().acquireLease(c, "taken", LEASE).orElseThrow();
    passTime(LEASE.plusSeconds(2));

    store().renewLease(c, "kept", kept); // nobody took it meanwhile
    assertEquals(Optional.empty(), store().acquireLease(c, "kept", LEASE), "renewed: held again");

    String taker = store().acquireLease(c, "taken", LEASE).orElseThrow();
    assertNotEquals(lost, taker);
    assertEquals(
        Reason.LEASE,
        assertThrows(BlobConflictException.class, () -> store().renewLease(c, "taken", lost))
            .reason(),
        "taken by another after it expired");
    store().write(c, "taken", bytes("mine"), Conditions.lease(taker));
  }

  interface Racer {
    void run(int i) throws Exception;
  }

  /** Starts {@code n} racers at once and waits for all; fails if one threw. */
  static void race(int n, Racer racer) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        runs.add(
            pool.submit(
                () -> {
                  go.await();
                  racer.run(index);
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> run : runs) run.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }
}
