package dev.veil.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.spi.InvocationListener.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log's ring: bounded, read from a position, filtered, long messages cut. */
class InvocationLogTest {

  private static Event event(int i, String status, String problem) {
    return new Event(i, "fn-" + (i % 2), "id-" + i, status, 0, 1000, problem);
  }

  @Test
  void keepsTheNewestEventsAndReadsOnFromAPosition() {
    InvocationLog log = new InvocationLog(5);
    for (int i = 0; i < 8; i++)
      log.finished(event(i, i % 3 == 0 ? "function_error" : "success", null));
    InvocationLog.Page all = log.since(0, 100, e -> true);
    assertEquals(List.of("id-3", "id-4", "id-5", "id-6", "id-7"), ids(all));
    assertEquals(8, all.next());
    assertEquals(
        List.of("id-6", "id-7"), ids(log.since(0, 2, e -> true)), "the newest when capped");
    assertEquals(
        List.of("id-3", "id-6"), ids(log.since(0, 100, e -> !e.status().equals("success"))));
    log.finished(event(8, "success", null));
    assertEquals(List.of("id-8"), ids(log.since(all.next(), 100, e -> true)));
  }

  @Test
  void cutsLongProblems() {
    InvocationLog log = new InvocationLog(2);
    log.finished(event(1, "function_error", "x".repeat(100_000)));
    String kept = log.since(0, 1, e -> true).events().get(0).problem();
    assertEquals(InvocationLog.MAX_PROBLEM_CHARS + 1, kept.length());
    assertTrue(kept.endsWith("…"));
  }

  private static List<String> ids(InvocationLog.Page page) {
    return page.events().stream().map(Event::invocationId).toList();
  }
}
