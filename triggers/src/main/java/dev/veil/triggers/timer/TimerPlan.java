package dev.veil.triggers.timer;

import java.time.Duration;
import java.time.Instant;

/**
 * The timer's decisions, apart from clocks and I/O so tests can drive them with chosen instants:
 * what to do when this host takes the timer over (at start or from a dead cluster member), and what
 * comes after a run.
 */
final class TimerPlan {
  /** Azure's rule: monitor a schedule by default unless it fires more often than once a minute. */
  private static final Duration MONITOR_THRESHOLD = Duration.ofMinutes(1);

  private final TimerSchedule schedule;

  TimerPlan(TimerSchedule schedule) {
    this.schedule = schedule;
  }

  /**
   * The default of {@code useMonitor}: whether two consecutive occurrences after {@code now} are a
   * minute or more apart.
   */
  boolean monitorByDefault(Instant now) {
    Instant a = schedule.next(now);
    Instant b = a == null ? null : schedule.next(a);
    return b != null && Duration.between(a, b).compareTo(MONITOR_THRESHOLD) >= 0;
  }

  /**
   * What to run on taking the timer over.
   *
   * @param pastDue run once at once, as missed ({@code IsPastDue}): the stored next occurrence has
   *     passed
   * @param onStartup run once at once because {@code runOnStartup} is set (and nothing is past due)
   * @param next the occurrence to wait for; null if the schedule never fires again
   */
  record Start(boolean pastDue, boolean onStartup, Instant next) {}

  /**
   * @param status the stored status ({@code null} without monitor or before the first run anywhere)
   * @param runOnStartup the function's {@code runOnStartup}, only honoured on the host's first
   *     take-over
   */
  Start onTakeOver(ScheduleStatus status, Instant now, boolean runOnStartup) {
    boolean pastDue = status != null && status.next() != null && !status.next().isAfter(now);
    Instant next = schedule.next(now);
    if (!pastDue
        && status != null
        && status.next() != null
        && (next == null || status.next().isBefore(next))) {
      next = status.next(); // a TimeSpan schedule counts from its last run, not from this start
    }
    return new Start(pastDue, runOnStartup && !pastDue, next);
  }

  /**
   * The occurrence after a run that finished at {@code now}: occurrences missed while it ran are
   * skipped.
   */
  Instant afterRun(Instant now) {
    return schedule.next(now);
  }
}
