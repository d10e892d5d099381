package dev.veil.functions.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.testkit.Azurite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyStoreSettingsTest {

  @Test
  void defaultsToTheLocalDirectoryAndRefusesBodyConnectionStrings() {
    KeyStoreSettings s = KeyStoreSettings.from(Map.<String, String>of()::get);
    assertEquals("local folder " + Path.of(".veil/keys").toAbsolutePath(), s.defaultStore().id());
    assertEquals(Path.of(".veil/keys"), s.directory());
    assertFalse(s.allowBodyConnectionString());
    assertEquals(512L << 20, s.cacheMaxBytes());
    assertEquals(Duration.ofMinutes(30), s.cacheExpireAfterAccess());
    InvalidKeyRefException e =
        assertThrows(InvalidKeyRefException.class, () -> s.storeForRequest("AccountKey=abc"));
    assertTrue(e.getMessage().contains(KeyStoreSettings.ALLOW_BODY_CONN_STR));
    assertFalse(e.getMessage().contains("abc"));
  }

  @Test
  void connectionSettingSelectsBlobStorageAndOptInAllowsBodyConnectionStrings() {
    KeyStoreSettings s =
        KeyStoreSettings.from(
            Map.of(
                    KeyStoreSettings.CONNECTION,
                    Azurite.connectionString(),
                    KeyStoreSettings.ALLOW_BODY_CONN_STR,
                    "true",
                    KeyStoreSettings.CACHE_MAX_BYTES,
                    "1000")
                ::get);
    assertEquals("Azure Blob Storage " + Azurite.blobEndpoint(), s.defaultStore().id());
    assertInstanceOf(BlobKeyStore.class, s.storeForRequest(Azurite.connectionString()));
    assertEquals(1000, s.cacheMaxBytes());
  }

  @Test
  void loadingAndStorageSettingsHaveBoundedDefaultsAndCanBeSet() {
    KeyStoreSettings d = KeyStoreSettings.from(Map.<String, String>of()::get);
    assertEquals(64, d.maxGaloisKeys());
    assertEquals(1L << 30, d.loadMaxBytes());
    assertEquals(2L << 30, d.loadBudgetBytes());
    assertTrue(d.loaderThreads() >= 1 && d.loaderThreads() <= 4);
    assertEquals(32, d.loadQueue());
    assertEquals(2, d.loadsPerContainer());
    assertEquals(2, d.waitingRequests());
    assertEquals(Duration.ofSeconds(30), d.revalidateAfter());
    assertEquals(Duration.ofSeconds(30), d.failedLoadTtl());
    assertEquals(Duration.ofMillis(1500), d.storageTimeout());
    assertEquals(3, d.breakerFailures());
    assertEquals(Duration.ofSeconds(10), d.breakerOpen());
    KeyStoreSettings s =
        KeyStoreSettings.from(
            Map.of(
                    KeyStoreSettings.REVALIDATE_SECONDS,
                    "5",
                    KeyStoreSettings.STORAGE_TIMEOUT_MS,
                    "250",
                    KeyStoreSettings.WAITING_REQUESTS,
                    "6",
                    KeyStoreSettings.MAX_GALOIS_KEYS,
                    "16")
                ::get);
    assertEquals(Duration.ofSeconds(5), s.revalidateAfter());
    assertEquals(Duration.ofMillis(250), s.storageTimeout());
    assertEquals(6, s.waitingRequests());
    assertEquals(16, s.maxGaloisKeys());
  }

  @Test
  void badNumbersNameTheSetting() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> KeyStoreSettings.from(Map.of(KeyStoreSettings.MAX_BUNDLE_BYTES, "lots")::get));
    assertTrue(e.getMessage().contains(KeyStoreSettings.MAX_BUNDLE_BYTES));
  }
}
