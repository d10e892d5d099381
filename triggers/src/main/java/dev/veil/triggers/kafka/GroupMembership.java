package dev.veil.triggers.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * How a host's consumers take part in their groups so that a crashed member's partitions are served
 * again quickly. Kafka's defaults (dynamic membership, 45 s session timeout) left a restarted host
 * without partitions for about 90 s after a SIGKILL: the group waited for the dead member's session
 * to expire before it let the new one in. Here each consumer is a static member ({@code
 * group.instance.id}): the same host restarted takes its partitions back at once, without a
 * rebalance. A member that does not come back is dropped after the session timeout, 10 s by
 * default, and its partitions go to the others. host.json {@code SessionTimeoutMs} / {@code
 * HeartbeatIntervalMs} override the timing; {@code extensions.kafka.staticMembership: false} turns
 * static membership off.
 */
final class GroupMembership {
  static final String SESSION_TIMEOUT_MS = "10000";

  /**
   * Heartbeats are how a live member learns of a rebalance: every second, so it rejoins within one
   * of a death.
   */
  static final String HEARTBEAT_INTERVAL_MS = "1000";

  /**
   * The host's member id, kept in its data directory so that a restarted host rejoins as itself.
   */
  static final String MEMBER_ID_FILE = "kafka-member-id";

  private GroupMembership() {}

  /**
   * The consumer settings of {@code function}'s trigger on this host (blocking: reads or creates
   * the member id file).
   *
   * @param staticMembership false for Kafka's dynamic membership
   */
  static Map<String, String> consumerConfig(
      Path dataDirectory, String function, boolean staticMembership) {
    Map<String, String> config = new HashMap<>();
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
    if (staticMembership) {
      // One consumer per function per host: the function name keeps two triggers of one host apart.
      config.put(
          ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, hostMemberId(dataDirectory) + "-" + function);
    }
    return config;
  }

  /** This host's member id: created once per data directory, so two hosts must not share one. */
  static synchronized String hostMemberId(Path dataDirectory) {
    Path file = dataDirectory.resolve(MEMBER_ID_FILE);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dataDirectory);
        try {
          Files.writeString(
              file,
              "veil-" + UUID.randomUUID() + "\n",
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException raced) {
          // another process on the same data directory wrote it first: use theirs
        }
      }
      String id = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (id.isEmpty()) {
        throw new IllegalStateException(file + " is empty; delete it to get a new Kafka member id");
      }
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
