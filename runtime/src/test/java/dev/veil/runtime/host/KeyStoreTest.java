package dev.veil.runtime.host;

import static com.microsoft.azure.functions.annotation.AuthorizationLevel.ADMIN;
import static com.microsoft.azure.functions.annotation.AuthorizationLevel.ANONYMOUS;
import static com.microsoft.azure.functions.annotation.AuthorizationLevel.FUNCTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.spi.AppSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyStoreTest {
  @TempDir Path dir;

  @Test
  void generatesOnceAndKeepsKeysAcrossRestarts() throws Exception {
    Path file = dir.resolve("keys.json");
    KeyStore first = KeyStore.load(file, new AppSettings(Map.of()), List.of("a"));
    KeyStore second = KeyStore.load(file, new AppSettings(Map.of()), List.of("a", "b"));
    assertEquals(first.masterKey(), second.masterKey());
    assertEquals(first.functionKey("a"), second.functionKey("a"));
    assertNotEquals(second.functionKey("a"), second.functionKey("b"));
  }

  @Test
  void settingsOverrideMasterAndHostKeys() throws Exception {
    KeyStore keys = KeyStore.load(dir.resolve("keys.json"),
        new AppSettings(Map.of(KeyStore.MASTER_KEY_SETTING, "m-key", KeyStore.HOST_KEY_SETTING, "h-key")), List.of("a"));
    assertTrue(keys.authorizes(ADMIN, "a", "m-key"));
    assertTrue(keys.authorizes(FUNCTION, "a", "h-key"));
    assertFalse(keys.authorizes(ADMIN, "a", "h-key"));
  }

  @Test
  void levelsFollowAzureSemantics() throws Exception {
    KeyStore keys = KeyStore.load(dir.resolve("keys.json"), new AppSettings(Map.of()), List.of("a", "b"));
    assertTrue(keys.authorizes(ANONYMOUS, "a", null));
    assertFalse(keys.authorizes(FUNCTION, "a", null));
    assertFalse(keys.authorizes(FUNCTION, "a", ""));
    assertTrue(keys.authorizes(FUNCTION, "a", keys.functionKey("a")));
    assertFalse(keys.authorizes(FUNCTION, "a", keys.functionKey("b")));
    assertFalse(keys.authorizes(FUNCTION, "a", keys.functionKey("a") + "x"));
    assertTrue(keys.authorizes(FUNCTION, "a", keys.hostKey()));
    assertTrue(keys.authorizes(FUNCTION, "a", keys.masterKey()));
    assertFalse(keys.authorizes(ADMIN, "a", keys.functionKey("a")));
    assertTrue(keys.authorizes(ADMIN, "a", keys.masterKey()));
  }
}
