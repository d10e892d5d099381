package dev.veil.triggers.timer;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;

/**
 * When a timer fires: an NCRONTAB expression read in the app's time zone, or a TimeSpan (a fixed
 * interval after the last run). Azure's TimeSpan form is {@code hh:mm:ss} while hh is below 24 and
 * {@code dd:hh:mm} from 24 on; {@code d.hh:mm:ss} is read too.
 */
abstract sealed class TimerSchedule {

  /** The first occurrence strictly after {@code after}, or {@code null} if there is none. */
  abstract Instant next(Instant after);

  /**
   * Whether this is a TimeSpan schedule (its next run counts from the last one, not from the
   * clock).
   */
  abstract boolean isInterval();

  /** {@code schedule} after {@code %setting%} expansion. */
  static TimerSchedule parse(String schedule, ZoneId zone) {
    String text = schedule.trim();
    if (text.isEmpty()) throw new IllegalArgumentException("the timer schedule is empty");
    if (!text.contains(" ") && text.contains(":")) return new Interval(timeSpan(text));
    return new Cron(NCrontab.parse(text), zone);
  }

  private static Duration timeSpan(String text) {
    String[] parts = text.split(":");
    try {
      Duration d;
      if (parts.length == 3 && !parts[0].contains(".") && Integer.parseInt(parts[0]) >= 24) {
        d =
            Duration.ofDays(Long.parseLong(parts[0]))
                .plusHours(Long.parseLong(parts[1]))
                .plusMinutes(Long.parseLong(parts[2]));
      } else {
        d = dev.veil.runtime.spi.RetryPolicy.parseInterval(text);
      }
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("it must be positive");
      return d;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "timer schedule '"
              + text
              + "' is neither an NCRONTAB expression (six "
              + "fields) nor a TimeSpan (hh:mm:ss, dd:hh:mm or d.hh:mm:ss): "
              + e.getMessage());
    }
  }

  static final class Interval extends TimerSchedule {
    final Duration every;

    Interval(Duration every) {
      this.every = every;
    }

    @Override
    Instant next(Instant after) {
      return after.plus(every);
    }

    @Override
    boolean isInterval() {
      return true;
    }

    @Override
    public String toString() {
      return "every " + every;
    }
  }

  static final class Cron extends TimerSchedule {
    private final NCrontab cron;
    private final ZoneId zone;

    Cron(NCrontab cron, ZoneId zone) {
      this.cron = cron;
      this.zone = zone;
    }

    /**
     * Matches wall-clock times in the zone. A time that a DST jump skips does not occur; a time
     * that happens twice when clocks go back fires once (at its first, earlier-offset instance).
     */
    @Override
    Instant next(Instant after) {
      LocalDateTime local = LocalDateTime.ofInstant(after, zone);
      while (true) {
        LocalDateTime candidate = cron.next(local);
        if (candidate == null) return null;
        local = candidate;
        ZoneOffsetTransition transition = zone.getRules().getTransition(candidate);
        if (transition != null && transition.isGap()) continue;
        Instant at = candidate.atZone(zone).toInstant();
        if (at.isAfter(after)) return at;
      }
    }

    @Override
    boolean isInterval() {
      return false;
    }

    @Override
    public String toString() {
      return cron + " (" + zone + ")";
    }
  }
}
