package dev.veil.dashboard;

import dev.veil.runtime.spi.InvocationListener;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The last {@code capacity} finished invocations, as the host's log lines tell them, in a ring (a
 * bounded, fixed amount of memory). Fed by the invoker on any thread; read by the live log view.
 */
final class InvocationLog implements InvocationListener {
  private final Event[] ring;
  private long added; // events ever added; the newest sits at (added - 1) % ring.length

  InvocationLog(int capacity) {
    this.ring = new Event[capacity];
  }

  /** Longer failure messages are cut here, so the ring's memory stays bounded. */
  static final int MAX_PROBLEM_CHARS = 2000;

  @Override
  public void finished(Event event) {
    String problem = event.problem();
    if (problem != null && problem.length() > MAX_PROBLEM_CHARS) {
      event =
          new Event(
              event.epochMillis(),
              event.function(),
              event.invocationId(),
              event.status(),
              event.code(),
              event.durationNanos(),
              problem.substring(0, MAX_PROBLEM_CHARS) + "…");
    }
    synchronized (this) {
      ring[(int) (added % ring.length)] = event;
      added++;
    }
  }

  /** Events read from the log, oldest first, and the position to continue from. */
  record Page(List<Event> events, long next) {}

  /**
   * The events after {@code position} (a count of events ever added) that {@code filter} keeps, at
   * most {@code max} (the newest of them); events that already left the ring are skipped.
   */
  synchronized Page since(long position, int max, Predicate<Event> filter) {
    long from = Math.max(position, added - ring.length);
    List<Event> out = new ArrayList<>();
    for (long i = added - 1; i >= from && out.size() < max; i--) {
      Event e = ring[(int) (i % ring.length)];
      if (filter.test(e)) out.add(e);
    }
    Collections.reverse(out);
    return new Page(out, added);
  }

  static JsonObject json(Event e) {
    JsonObject o =
        new JsonObject()
            .put("t", e.epochMillis())
            .put("function", e.function())
            .put("id", e.invocationId())
            .put("status", e.status())
            .put("ms", Math.round(e.durationNanos() / 1e4) / 100.0);
    if (e.code() != 0) o.put("code", e.code());
    if (e.problem() != null) o.put("problem", e.problem());
    return o;
  }
}
