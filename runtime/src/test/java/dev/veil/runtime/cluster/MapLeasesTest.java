package dev.veil.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MapLeasesTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void oneHolderAtATimeRenewedByItsHolderAndHandedOverOnRelease() throws Exception {
    MapLeases a = new MapLeases(vertx, "node-a");
    MapLeases b = new MapLeases(vertx, "node-b");
    Duration ttl = Duration.ofMinutes(1);
    assertTrue(await(a.tryAcquire("blob-list/c/f", ttl)));
    assertFalse(await(b.tryAcquire("blob-list/c/f", ttl)));
    assertTrue(await(a.tryAcquire("blob-list/c/f", ttl)), "the holder renews");
    assertTrue(await(b.tryAcquire("blob-list/other/f", ttl)), "leases are per name");
    await(b.release("blob-list/c/f")); // not b's: no effect
    assertFalse(await(b.tryAcquire("blob-list/c/f", ttl)));
    await(a.release("blob-list/c/f"));
    assertTrue(await(b.tryAcquire("blob-list/c/f", ttl)));
  }

  @Test
  void aLeaseNotRenewedExpires() throws Exception {
    MapLeases a = new MapLeases(vertx, "node-a");
    MapLeases b = new MapLeases(vertx, "node-b");
    assertTrue(await(a.tryAcquire("short", Duration.ofMillis(200))));
    boolean taken = false;
    for (int i = 0;
        i < 100 && !taken;
        i++) { // the crashed holder never renews; b gets it once it lapses
      Thread.sleep(50);
      taken = await(b.tryAcquire("short", Duration.ofMinutes(1)));
    }
    assertTrue(taken);
    assertFalse(await(a.tryAcquire("short", Duration.ofMinutes(1))));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
