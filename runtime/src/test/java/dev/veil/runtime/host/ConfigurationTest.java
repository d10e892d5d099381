package dev.veil.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {
  @TempDir Path dir;

  @Test
  void readsHostJsonAndLocalSettingsWithEnvironmentOverrides() throws Exception {
    Files.writeString(
        dir.resolve("host.json"),
        """
        {"version": "2.0", "functionTimeout": "00:05:00", "extensions": {"http": {"routePrefix": "/v1/"}},
         "veil": {"workerPoolSize": 3, "maxQueuedInvocations": 5}}""");
    Files.writeString(
        dir.resolve("local.settings.json"),
        """
        {"IsEncrypted": false, "Values": {"A": "1", "B": "2", "N": 3}, "Host": {"LocalHttpPort": 7072}}""");
    Configuration config = Configuration.load(dir, null, Map.of("C", "option"), Map.of("B", "env"));
    assertEquals("1", config.settings().require("A"));
    assertEquals("env", config.settings().require("B"));
    assertEquals("3", config.settings().require("N"));
    assertEquals("option", config.settings().require("C"));
    assertEquals(7072, config.localHttpPort());
    assertEquals("v1", config.hostConfig().routePrefix());
    assertEquals(Optional.of(Duration.ofMinutes(5)), config.hostConfig().functionTimeout());
    assertEquals(3, config.hostConfig().workerPoolSize());
    assertEquals(5, config.hostConfig().maxQueuedInvocations());
  }

  @Test
  void declaredSettingsStayInTheHostsSettingsAndNeverBecomeSystemProperties() throws Exception {
    Files.writeString(
        dir.resolve("local.settings.json"),
        """
        {"Values": {"VEIL_TEST_DECLARED": "file", "VEIL_TEST_OVERRIDDEN": "file"}}""");
    Configuration config =
        Configuration.load(dir, null, Map.of(), Map.of("VEIL_TEST_OVERRIDDEN", "env"));
    assertEquals("file", config.settings().require("VEIL_TEST_DECLARED"));
    assertEquals("env", config.settings().require("VEIL_TEST_OVERRIDDEN"));
    // a second host in this JVM must not see them: functions get settings from their host's scope
    // only
    assertEquals(null, System.getProperty("VEIL_TEST_DECLARED"));
    assertEquals(null, System.getProperty("VEIL_TEST_OVERRIDDEN"));
  }

  @Test
  void defaultsWithoutFiles() {
    Configuration config = Configuration.load(dir, null, Map.of(), Map.of());
    assertEquals("api", config.hostConfig().routePrefix());
    assertEquals(Optional.empty(), config.hostConfig().functionTimeout());
    assertEquals(null, config.localHttpPort());
  }

  @Test
  void badFilesFailWithMessagesNamingTheProblem() throws Exception {
    Files.writeString(dir.resolve("host.json"), "{\"functionTimeout\": ");
    String message =
        assertThrows(
                IllegalArgumentException.class,
                () -> Configuration.load(dir, null, Map.of(), Map.of()))
            .getMessage();
    assertTrue(message.contains("host.json is not a JSON object"), message);

    Files.writeString(dir.resolve("host.json"), "{\"functionTimeout\": \"five minutes\"}");
    message =
        assertThrows(
                IllegalArgumentException.class,
                () -> Configuration.load(dir, null, Map.of(), Map.of()))
            .getMessage();
    assertTrue(message.contains("'five minutes' is not in the format hh:mm:ss"), message);

    Files.writeString(dir.resolve("host.json"), "{\"veil\": {\"workerPoolSize\": \"many\"}}");
    message =
        assertThrows(
                IllegalArgumentException.class,
                () -> Configuration.load(dir, null, Map.of(), Map.of()))
            .getMessage();
    assertTrue(message.startsWith("host.json: "), message);
  }
}
