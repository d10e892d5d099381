package dev.veil.triggers.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's consumers keep their static member ids across restarts; each host and function has its
 * own.
 */
class GroupMembershipTest {
  @Test
  void aRestartedHostRejoinsUnderTheSameIdAndOtherHostsDiffer(
      @TempDir Path first, @TempDir Path second) {
    Map<String, String> before = GroupMembership.consumerConfig(first, "score", true);
    Map<String, String> after =
        GroupMembership.consumerConfig(first, "score", true); // the same data directory again
    assertEquals(before.get("group.instance.id"), after.get("group.instance.id"));
    assertNotEquals(
        before.get("group.instance.id"),
        GroupMembership.consumerConfig(second, "score", true).get("group.instance.id"));
    assertNotEquals(
        before.get("group.instance.id"),
        GroupMembership.consumerConfig(first, "other", true).get("group.instance.id"));
    assertEquals("10000", before.get("session.timeout.ms"));
    assertEquals("1000", before.get("heartbeat.interval.ms"));
  }

  @Test
  void dynamicMembershipKeepsTheShortSessionOnly(@TempDir Path dir) {
    Map<String, String> config = GroupMembership.consumerConfig(dir, "score", false);
    assertFalse(config.containsKey("group.instance.id"));
    assertEquals("10000", config.get("session.timeout.ms"));
  }

  @Test
  void anEmptyMemberIdFileIsNamed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(GroupMembership.MEMBER_ID_FILE), "\n");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> GroupMembership.hostMemberId(dir));
    assertEquals(true, e.getMessage().contains("kafka-member-id"));
  }
}
