package dev.veil.triggers.timer;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * An NCRONTAB expression as Azure Functions reads it: six fields, {@code second minute hour day
 * month day-of-week}. Each field is {@code *}, a value, a range {@code a-b}, any of those followed
 * by a step {@code /n} ({@code a/n} runs from a to the field's end), or a comma-separated list of
 * those. Months take {@code JAN}-{@code DEC} and days of week {@code SUN}-{@code SAT} (or full
 * names, any case); Sunday is 0, 7 is not allowed. When both day of month and day of week are
 * restricted a day must match both (NCrontab's rule, unlike Unix cron's "either"). Quartz's {@code
 * ? L W #} and macros such as {@code @daily} are not NCRONTAB and are refused.
 */
final class NCrontab {
  private static final List<String> MONTHS =
      List.of(
          "JANUARY",
          "FEBRUARY",
          "MARCH",
          "APRIL",
          "MAY",
          "JUNE",
          "JULY",
          "AUGUST",
          "SEPTEMBER",
          "OCTOBER",
          "NOVEMBER",
          "DECEMBER");
  private static final List<String> DAYS =
      List.of("SUNDAY", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY");

  /**
   * Searching further than this finds nothing new: every field combination recurs within 28 years.
   */
  private static final int SEARCH_YEARS = 29;

  private final String text;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet daysOfWeek;

  private NCrontab(String text, BitSet[] fields) {
    this.text = text;
    this.seconds = fields[0];
    this.minutes = fields[1];
    this.hours = fields[2];
    this.days = fields[3];
    this.months = fields[4];
    this.daysOfWeek = fields[5];
  }

  /** Parses an expression; the message of the exception names the field that is wrong. */
  static NCrontab parse(String expression) {
    String[] parts = expression.trim().split("\\s+");
    if (parts.length != 6) {
      throw new IllegalArgumentException(
          "NCRONTAB expression '"
              + expression
              + "' must have six fields "
              + "(second minute hour day month day-of-week), not "
              + parts.length);
    }
    BitSet[] fields = {
      field(parts[0], "second", 0, 59, null),
      field(parts[1], "minute", 0, 59, null),
      field(parts[2], "hour", 0, 23, null),
      field(parts[3], "day", 1, 31, null),
      field(parts[4], "month", 1, 12, MONTHS),
      field(parts[5], "day-of-week", 0, 6, DAYS)
    };
    return new NCrontab(String.join(" ", parts), fields);
  }

  private static BitSet field(String text, String name, int min, int max, List<String> names) {
    BitSet set = new BitSet(max + 1);
    for (String item : text.split(",", -1)) {
      try {
        int step = 1;
        String range = item;
        int slash = item.indexOf('/');
        if (slash >= 0) {
          step = Integer.parseInt(item.substring(slash + 1));
          range = item.substring(0, slash);
          if (step < 1) throw new IllegalArgumentException("step must be at least 1");
        }
        int from;
        int to;
        if (range.equals("*")) {
          from = min;
          to = max;
        } else {
          int dash = range.indexOf('-', 1);
          from = value(dash < 0 ? range : range.substring(0, dash), min, max, names);
          to =
              dash < 0
                  ? (slash >= 0 ? max : from)
                  : value(range.substring(dash + 1), min, max, names);
          if (to < from) throw new IllegalArgumentException("range " + range + " runs backwards");
        }
        for (int v = from; v <= to; v += step) set.set(v);
      } catch (IllegalArgumentException e) {
        String why = e instanceof NumberFormatException ? "not a number" : e.getMessage();
        throw new IllegalArgumentException(
            "NCRONTAB "
                + name
                + " field '"
                + text
                + "': '"
                + item
                + "' is invalid ("
                + why
                + "; allowed "
                + min
                + "-"
                + max
                + (names == null ? "" : " or names")
                + ", *, ranges, steps, lists)");
      }
    }
    return set;
  }

  private static int value(String text, int min, int max, List<String> names) {
    if (names != null && !text.isEmpty() && Character.isLetter(text.charAt(0))) {
      String upper = text.toUpperCase(Locale.ROOT);
      for (int i = 0; i < names.size(); i++) {
        String full = names.get(i);
        if (upper.length() >= 3 && full.startsWith(upper)) return min + i;
      }
      throw new IllegalArgumentException("unknown name " + text);
    }
    int v = Integer.parseInt(text);
    if (v < min || v > max) throw new IllegalArgumentException(v + " is out of range");
    return v;
  }

  /**
   * The first time strictly after {@code after} (wall-clock time, whole seconds) that matches, or
   * {@code null} if none does (e.g. {@code 0 0 0 30 2 *}).
   */
  LocalDateTime next(LocalDateTime after) {
    LocalDateTime t = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    LocalDate end = after.toLocalDate().plusYears(SEARCH_YEARS);
    while (t.toLocalDate().isBefore(end)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!days.get(t.getDayOfMonth()) || !daysOfWeek.get(sundayZero(t.getDayOfWeek()))) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
      } else if (!seconds.get(t.getSecond())) {
        t = t.plusSeconds(1);
      } else {
        return t;
      }
    }
    return null;
  }

  private static int sundayZero(DayOfWeek day) {
    return day.getValue() % 7;
  }

  @Override
  public String toString() {
    return text;
  }
}
