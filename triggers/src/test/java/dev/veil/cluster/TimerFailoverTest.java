package dev.veil.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.cluster.ClusterHosts.Host;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real host processes share a timer that fires every 2 s: exactly one fires each occurrence,
 * and when that one is SIGKILLed the other takes over within 15 s (the lease lapses after 10 s).
 */
class TimerFailoverTest {
  @TempDir Path dir;

  /** "occurrence pid" lines so far (a line still being written is left out). */
  private List<String[]> ticks() {
    Path log = dir.resolve("timer.log");
    try {
      if (!Files.exists(log)) return List.of();
      return Files.readAllLines(log).stream()
          .map(l -> l.split(" "))
          .filter(t -> t.length == 2)
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void oneHostFiresEachOccurrenceAndAnotherTakesOverAfterItsDeath() throws Exception {
    try (ClusterHosts cluster =
        new ClusterHosts(dir, new JsonObject(), "dev.veil.cluster.timerfn").start(2)) {
      // Hosts booting side by side may each form a cluster of one before they merge, and each would
      // hold the
      // lease in its own map: count only occurrences from a few seconds after both see each other.
      long settled = System.currentTimeMillis() / 1000 + 4;
      Waits.until(
          () -> ticksFrom(settled).size() >= 3,
          Duration.ofSeconds(60),
          "three ticks in the formed cluster");
      List<String[]> before = ticksFrom(settled);
      String firing = before.get(before.size() - 1)[1];
      Host holder =
          cluster.hosts.stream().filter(h -> h.pid().equals(firing)).findFirst().orElseThrow();
      Host other = cluster.hosts.stream().filter(h -> h != holder).findFirst().orElseThrow();
      holder.process().destroyForcibly(); // SIGKILL: no lease release, no goodbye
      holder.process().waitFor();
      long killedAt = System.currentTimeMillis() / 1000;
      Waits.until(
          () ->
              ticks().stream()
                  .anyMatch(t -> t[1].equals(other.pid()) && Long.parseLong(t[0]) >= killedAt),
          Duration.ofSeconds(30),
          "a tick from the surviving host after the kill");
      List<String[]> ticks = ticksFrom(settled);
      long takenOver =
          ticks.stream()
              .filter(t -> t[1].equals(other.pid()) && Long.parseLong(t[0]) >= killedAt)
              .mapToLong(t -> Long.parseLong(t[0]))
              .min()
              .orElseThrow();
      System.out.println(
          "timer fail-over: the survivor fired " + (takenOver - killedAt) + " s after the kill");
      assertTrue(
          takenOver - killedAt <= 15,
          "the survivor fired " + (takenOver - killedAt) + " s after the kill");
      Set<String> occurrences = new HashSet<>();
      for (String[] t : ticks) {
        assertTrue(occurrences.add(t[0]), "occurrence " + t[0] + " fired twice: " + render(ticks));
      }
      assertTrue(
          ticks.stream().noneMatch(t -> t[1].equals(firing) && Long.parseLong(t[0]) > killedAt),
          render(ticks));
    }
  }

  private List<String[]> ticksFrom(long second) {
    return ticks().stream().filter(t -> Long.parseLong(t[0]) >= second).toList();
  }

  private static String render(List<String[]> ticks) {
    return ticks.stream().map(t -> t[0] + "@" + t[1]).toList().toString();
  }
}
