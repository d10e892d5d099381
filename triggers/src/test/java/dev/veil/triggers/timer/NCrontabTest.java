package dev.veil.triggers.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NCRONTAB parsing and next occurrences, checked against the examples in Azure's timer trigger
 * documentation.
 */
class NCrontabTest {
  /** Monday 2024-01-01. */
  private static final LocalDateTime START = LocalDateTime.of(2024, 1, 1, 0, 0, 0);

  private static List<String> occurrences(String expression, LocalDateTime from, int count) {
    NCrontab cron = NCrontab.parse(expression);
    List<String> out = new ArrayList<>();
    LocalDateTime t = from;
    for (int i = 0; i < count; i++) {
      t = cron.next(t);
      out.add(t.toString());
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      0 */5 * * * *     | 2024-01-01T00:05|2024-01-01T00:10|2024-01-01T00:15
      0 0 * * * *       | 2024-01-01T01:00|2024-01-01T02:00|2024-01-01T03:00
      0 0 */2 * * *     | 2024-01-01T02:00|2024-01-01T04:00|2024-01-01T06:00
      0 0 9-17 * * *    | 2024-01-01T09:00|2024-01-01T10:00|2024-01-01T11:00
      0 30 9 * * *      | 2024-01-01T09:30|2024-01-02T09:30|2024-01-03T09:30
      0 30 9 * * 1-5    | 2024-01-01T09:30|2024-01-02T09:30|2024-01-03T09:30
      0 30 9 * Jan Mon  | 2024-01-01T09:30|2024-01-08T09:30|2024-01-15T09:30
      0 5 * * * *       | 2024-01-01T00:05|2024-01-01T01:05|2024-01-01T02:05
      5 * * * * *       | 2024-01-01T00:00:05|2024-01-01T00:01:05|2024-01-01T00:02:05
      5,8,10 * * * * *  | 2024-01-01T00:00:05|2024-01-01T00:00:08|2024-01-01T00:00:10
      5-7 * * * * *     | 2024-01-01T00:00:05|2024-01-01T00:00:06|2024-01-01T00:00:07
      0 0 0 * * *       | 2024-01-02T00:00|2024-01-03T00:00|2024-01-04T00:00
      0 0 0 1 * *       | 2024-02-01T00:00|2024-03-01T00:00|2024-04-01T00:00
      0 0 0 1 1 *       | 2025-01-01T00:00|2026-01-01T00:00|2027-01-01T00:00
      0 0 0 29 Feb *    | 2024-02-29T00:00|2028-02-29T00:00|2032-02-29T00:00
      0 0 0 31 * *      | 2024-01-31T00:00|2024-03-31T00:00|2024-05-31T00:00
      0 0 12 * * SAT,sun| 2024-01-06T12:00|2024-01-07T12:00|2024-01-13T12:00
      0 0 12 * * 0      | 2024-01-07T12:00|2024-01-14T12:00|2024-01-21T12:00
      0 0 12 13 * 5     | 2024-09-13T12:00|2024-12-13T12:00|2025-06-13T12:00
      */15 * * * * *    | 2024-01-01T00:00:15|2024-01-01T00:00:30|2024-01-01T00:00:45
      10/20 * * * * *   | 2024-01-01T00:00:10|2024-01-01T00:00:30|2024-01-01T00:00:50
      0 0-30/10 8 * * * | 2024-01-01T08:00|2024-01-01T08:10|2024-01-01T08:20
      0 0 0 * March-may *| 2024-03-01T00:00|2024-03-02T00:00|2024-03-03T00:00
      * * * * * *       | 2024-01-01T00:00:01|2024-01-01T00:00:02|2024-01-01T00:00:03
      """)
  void documentedExamples(String expression, String first, String second, String third) {
    assertEquals(List.of(first, second, third), occurrences(expression, START, 3));
  }

  @Test
  void nextIsStrictlyLaterAndDropsFractions() {
    NCrontab cron = NCrontab.parse("0 30 9 * * *");
    assertEquals(
        LocalDateTime.of(2024, 1, 2, 9, 30), cron.next(LocalDateTime.of(2024, 1, 1, 9, 30)));
    assertEquals(
        LocalDateTime.of(2024, 1, 1, 9, 30),
        cron.next(LocalDateTime.of(2024, 1, 1, 9, 29, 59, 999_000_000)));
  }

  @Test
  void dayOfMonthAndDayOfWeekMustBothMatch() {
    // Unix cron would fire on every 1st and every Monday; NCrontab only on a Monday the 1st
    List<String> got = occurrences("0 0 0 1 * MON", START.minusDays(1), 3);
    assertEquals(List.of("2024-01-01T00:00", "2024-04-01T00:00", "2024-07-01T00:00"), got);
  }

  @Test
  void anImpossibleDateNeverFires() {
    assertNull(NCrontab.parse("0 0 0 30 2 *").next(START));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0 */5 * * *",
        "0 0 0 * * * 2024",
        "60 * * * * *",
        "* 60 * * * *",
        "* * 24 * * *",
        "* * * 0 * *",
        "* * * 32 * *",
        "* * * * 13 *",
        "* * * * 0 *",
        "* * * * * 7",
        "* * * ? * *",
        "* * * L * *",
        "* * * * * 1#2",
        "@daily",
        "*/0 * * * * *",
        "5-1 * * * * *",
        "a * * * * *",
        "* * * * * Mo",
        "1,,2 * * * * *",
        "-1 * * * * *",
        "* * * * Jab *"
      })
  void refusesWhatNcrontabDoesNot(String expression) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NCrontab.parse(expression));
    assertTrue(e.getMessage().contains("NCRONTAB"), e.getMessage());
  }

  @Test
  void theMessageNamesTheBadField() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NCrontab.parse("0 0 25 * * *"));
    assertTrue(e.getMessage().contains("hour field '25'"), e.getMessage());
  }
}
