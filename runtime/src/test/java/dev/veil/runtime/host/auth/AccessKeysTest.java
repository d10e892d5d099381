package dev.veil.runtime.host.auth;

import static com.microsoft.azure.functions.annotation.AuthorizationLevel.ADMIN;
import static com.microsoft.azure.functions.annotation.AuthorizationLevel.ANONYMOUS;
import static com.microsoft.azure.functions.annotation.AuthorizationLevel.FUNCTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.spi.AppSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessKeysTest {
  @TempDir Path dir;

  @Test
  void generatesOnceAndKeepsKeysAcrossRestarts() throws Exception {
    Path file = dir.resolve("keys.json");
    AccessKeys first = AccessKeys.load(file, new AppSettings(Map.of()), List.of("a"));
    AccessKeys second = AccessKeys.load(file, new AppSettings(Map.of()), List.of("a", "b"));
    assertEquals(first.masterKey(), second.masterKey());
    assertEquals(first.functionKey("a"), second.functionKey("a"));
    assertNotEquals(second.functionKey("a"), second.functionKey("b"));
  }

  @Test
  void settingsOverrideMasterAndHostKeys() throws Exception {
    AccessKeys keys =
        AccessKeys.load(
            dir.resolve("keys.json"),
            new AppSettings(
                Map.of(
                    AccessKeys.MASTER_KEY_SETTING, "m-key", AccessKeys.HOST_KEY_SETTING, "h-key")),
            List.of("a"));
    assertTrue(keys.authorizes(ADMIN, "a", "m-key"));
    assertTrue(keys.authorizes(FUNCTION, "a", "h-key"));
    assertFalse(keys.authorizes(ADMIN, "a", "h-key"));
  }

  @Test
  void levelsFollowAzureSemantics() throws Exception {
    AccessKeys keys =
        AccessKeys.load(dir.resolve("keys.json"), new AppSettings(Map.of()), List.of("a", "b"));
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

  @Test
  void readsTheOlderOneKeyFormAndRewritesItNamed() throws Exception {
    Path file = dir.resolve("keys.json");
    java.nio.file.Files.writeString(
        file,
        "{\"masterKey\":\"m-0123456789abcdef\",\"hostKey\":\"h-0123456789abcdef\","
            + "\"functionKeys\":{\"a\":\"a-0123456789abcdef\"}}");
    AccessKeys keys = AccessKeys.load(file, new AppSettings(Map.of()), List.of("a"));
    assertEquals("a-0123456789abcdef", keys.functionKey("a"));
    assertEquals("h-0123456789abcdef", keys.hostKey());
    assertTrue(keys.authorizes(FUNCTION, "a", "a-0123456789abcdef"));
    io.vertx.core.json.JsonObject json =
        new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(file));
    assertEquals(
        "a-0123456789abcdef",
        json.getJsonObject("functionKeys").getJsonObject("a").getString("default"));
    assertEquals("h-0123456789abcdef", json.getJsonObject("hostKeys").getString("default"));
  }

  @Test
  void namedKeysAreAddedRotatedAndDeletedAndSurviveARestart() throws Exception {
    Path file = dir.resolve("keys.json");
    AccessKeys keys = AccessKeys.load(file, new AppSettings(Map.of()), List.of("a", "b"));
    List<AccessKeys.Change> changes = new java.util.ArrayList<>();
    keys.onChange(changes::add);
    AccessKeys.Scope a = AccessKeys.Scope.function("a");
    assertTrue(keys.set(a, "primary", "primary-value-0123456789"));
    assertTrue(keys.set(a, "secondary", null));
    String secondary = keys.get(a, "secondary").orElseThrow();
    assertTrue(keys.authorizes(FUNCTION, "a", "primary-value-0123456789"));
    assertTrue(keys.authorizes(FUNCTION, "a", secondary));
    assertFalse(
        keys.authorizes(FUNCTION, "b", secondary), "a function key opens only its function");
    assertFalse(keys.set(a, "primary", null), "replacing is not creating");
    assertFalse(
        keys.authorizes(FUNCTION, "a", "primary-value-0123456789"),
        "the rotated value is refused at once");
    assertTrue(keys.delete(a, "secondary"));
    assertFalse(keys.delete(a, "secondary"));
    assertFalse(keys.authorizes(FUNCTION, "a", secondary));
    assertEquals(4, changes.size());
    assertEquals(null, changes.get(3).value());

    assertTrue(keys.set(AccessKeys.Scope.HOST, "deploy", "deploy-key-0123456789"));
    assertTrue(
        keys.authorizes(FUNCTION, "b", "deploy-key-0123456789"), "a host key opens every function");
    assertFalse(keys.authorizes(ADMIN, "b", "deploy-key-0123456789"));
    String oldMaster = keys.masterKey();
    keys.set(AccessKeys.Scope.HOST, AccessKeys.MASTER_KEY_NAME, null);
    assertFalse(keys.authorizes(ADMIN, "b", oldMaster));
    assertTrue(keys.authorizes(ADMIN, "b", keys.masterKey()));
    assertThrows(
        IllegalArgumentException.class,
        () -> keys.delete(AccessKeys.Scope.HOST, AccessKeys.MASTER_KEY_NAME));
    assertThrows(IllegalArgumentException.class, () -> keys.set(a, "bad name!", null));
    assertThrows(IllegalArgumentException.class, () -> keys.set(a, "short", "too-short"));

    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            java.nio.file.Files.getPosixFilePermissions(file)));
    AccessKeys reloaded = AccessKeys.load(file, new AppSettings(Map.of()), List.of("a", "b"));
    assertEquals(keys.list(a), reloaded.list(a));
    assertEquals(keys.masterKey(), reloaded.masterKey());
    assertTrue(reloaded.authorizes(FUNCTION, "a", keys.get(a, "primary").orElseThrow()));
  }

  @Test
  void keysFixedByAppSettingsCannotBeChangedThroughTheApi() throws Exception {
    AccessKeys keys =
        AccessKeys.load(
            dir.resolve("keys.json"),
            new AppSettings(
                Map.of(
                    AccessKeys.MASTER_KEY_SETTING, "m-key", AccessKeys.HOST_KEY_SETTING, "h-key")),
            List.of("a"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> keys.set(AccessKeys.Scope.HOST, AccessKeys.MASTER_KEY_NAME, null));
    assertTrue(e.getMessage().contains(AccessKeys.MASTER_KEY_SETTING));
    assertThrows(
        IllegalArgumentException.class,
        () -> keys.delete(AccessKeys.Scope.HOST, AccessKeys.DEFAULT_KEY_NAME));
    assertEquals("m-key", keys.list(AccessKeys.Scope.HOST).get(AccessKeys.MASTER_KEY_NAME));
    assertEquals("h-key", keys.list(AccessKeys.Scope.HOST).get(AccessKeys.DEFAULT_KEY_NAME));
  }

  @Test
  void aChangeFromAnotherMemberAppliesWithoutBeingSentOnAgain() throws Exception {
    AccessKeys keys =
        AccessKeys.load(dir.resolve("keys.json"), new AppSettings(Map.of()), List.of("a"));
    List<AccessKeys.Change> sent = new java.util.ArrayList<>();
    keys.onChange(sent::add);
    String old = keys.functionKey("a");
    keys.apply(
        new AccessKeys.Change(
            AccessKeys.Scope.function("a"),
            AccessKeys.DEFAULT_KEY_NAME,
            "from-elsewhere-0123456789"));
    assertFalse(keys.authorizes(FUNCTION, "a", old));
    assertTrue(keys.authorizes(FUNCTION, "a", "from-elsewhere-0123456789"));
    assertEquals(List.of(), sent);
  }
}
