package dev.veil.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
  private static final HostConfig HOST =
      new HostConfig(
          new JsonObject()
              .put(
                  "veil",
                  new JsonObject()
                      .put(
                          "cluster",
                          new JsonObject()
                              .put("port", 5900)
                              .put(
                                  "members",
                                  new io.vertx.core.json.JsonArray().add("10.0.0.5:5900")))));

  private static ClusterSettings settings(String secret) {
    return ClusterSettings.from(
        HOST, new AppSettings(Map.of(ClusterSettings.SECRET_SETTING, secret)), true, "127.0.0.1");
  }

  @Test
  void standAloneUnlessAskedFor() {
    assertNull(ClusterSettings.from(HOST, new AppSettings(Map.of()), false, "127.0.0.1"));
  }

  @Test
  void clusterModeNeedsALongEnoughSecret() {
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ClusterSettings.from(
                    HOST,
                    new AppSettings(Map.of(ClusterSettings.ENABLED_SETTING, "true")),
                    false,
                    "127.0.0.1"));
    assertTrue(missing.getMessage().contains(ClusterSettings.SECRET_SETTING), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> settings("short"));
  }

  @Test
  void anotherSecretMeansAnotherClusterAndNoProof() {
    ClusterSettings ours = settings("the-right-secret-123");
    ClusterSettings theirs = settings("the-wrong-secret-123");
    assertEquals(
        ours.hazelcastClusterName(), settings("the-right-secret-123").hazelcastClusterName());
    assertNotEquals(ours.hazelcastClusterName(), theirs.hazelcastClusterName());
    assertFalse(ours.hazelcastClusterName().contains("secret"));
    assertTrue(ours.admits("nonce-1", ours.proof("nonce-1")));
    assertFalse(ours.admits("nonce-1", theirs.proof("nonce-1")));
    assertFalse(ours.admits("nonce-2", ours.proof("nonce-1")));
    assertFalse(ours.admits(null, null));
  }

  @Test
  void hazelcastListensOnTheConfiguredInterfaceWithMulticastOff() {
    Config config = settings("the-right-secret-123").hazelcastConfig();
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertTrue(config.getNetworkConfig().getInterfaces().getInterfaces().contains("127.0.0.1"));
    assertEquals(5900, config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertTrue(
        config
            .getNetworkConfig()
            .getJoin()
            .getTcpIpConfig()
            .getMembers()
            .contains("10.0.0.5:5900"));
  }
}
