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

  @Override
  public synchronized void finished(Event event) {
    ring[(int) (added % ring.length)] = event;
    added++;
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
