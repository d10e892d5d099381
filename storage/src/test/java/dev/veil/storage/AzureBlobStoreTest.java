package dev.veil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.testkit.Azurite;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against Azurite (the Azure Storage emulator), plus what only the Azure store has.
 */
class AzureBlobStoreTest extends BlobStoreContract {
  private static final AzureBlobStore STORE =
      AzureBlobStore.connect(Azurite.connectionString(), AzureBlobStore.Options.DEFAULT);

  @Override
  BlobStore store() {
    return STORE;
  }

  @Override
  void passTime(Duration time) throws InterruptedException {
    Thread.sleep(time.toMillis()); // Azurite keeps real time
  }

  @AfterAll
  static void close() {
    STORE.close();
  }

  @Test
  void aMalformedConnectionStringIsNotEchoed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AzureBlobStore.connect(
                    "AccountKey=secret-value;garbage", AzureBlobStore.Options.DEFAULT));
    assertFalse(e.getMessage().contains("secret-value"), e.getMessage());
  }

  @Test
  void aStorageThatDoesNotAnswerIsUnavailableWithinTheTimeout() throws Exception {
    // A listening socket that never accepts: connects may succeed, but no response ever comes.
    try (ServerSocket blackHole =
            new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        AzureBlobStore store =
            AzureBlobStore.connect(
                Azurite.connectionString()
                    .replaceAll(
                        "BlobEndpoint=[^;]+",
                        "BlobEndpoint=http://127.0.0.1:"
                            + blackHole.getLocalPort()
                            + "/"
                            + Azurite.ACCOUNT),
                new AzureBlobStore.Options(Duration.ofMillis(300), 1, 4 << 20))) {
      StorageUnavailableException e =
          assertThrows(StorageUnavailableException.class, () -> store.properties("c", "b"));
      assertTrue(e.getMessage().startsWith(store.describe()), e.getMessage());
      assertFalse(e.getMessage().contains(Azurite.ACCOUNT_KEY), e.getMessage());
    }
  }

  @Test
  void aClosedStoreRefusesCalls() {
    AzureBlobStore store =
        AzureBlobStore.connect(Azurite.connectionString(), AzureBlobStore.Options.DEFAULT);
    store.close();
    assertThrows(IllegalStateException.class, () -> store.list(newContainer(), "", null));
  }

  @Test
  void describesTheAccountEndpoint() {
    assertEquals("Azure Blob Storage " + Azurite.blobEndpoint(), STORE.describe());
  }
}
