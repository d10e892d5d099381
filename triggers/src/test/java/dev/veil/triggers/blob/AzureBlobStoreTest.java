package dev.veil.triggers.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.veil.testkit.Azurite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Azure store against Azurite. */
class AzureBlobStoreTest {

  @Test
  void writersRacingIntoANewContainerAllLand() throws Exception {
    AzureBlobStore store = new AzureBlobStore(Azurite.connectionString());
    String container = "race-" + UUID.randomUUID().toString().substring(0, 8);
    int writers = 8;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String name = "blob" + i;
        writes.add(pool.submit(() -> {
          go.await();
          store.write(container, name, name.getBytes(StandardCharsets.UTF_8));
          return null;
        }));
      }
      go.countDown();
      for (Future<?> write : writes) write.get(60, TimeUnit.SECONDS); // throws if a writer failed
    } finally {
      pool.shutdownNow();
    }
    assertEquals(writers, store.list(container, "", null).items().size());
  }
}
