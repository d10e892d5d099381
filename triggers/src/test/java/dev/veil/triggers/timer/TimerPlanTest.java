package dev.veil.triggers.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.spi.AppSettings;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Schedules, time zones and the take-over decisions, driven with chosen instants instead of a
 * running clock.
 */
class TimerPlanTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static Instant at(String text) {
    return Instant.parse(text);
  }

  @Test
  void cronTimesAreWallClockTimesInTheAppTimeZone() {
    TimerSchedule nineThirty = TimerSchedule.parse("0 30 9 * * *", BERLIN);
    assertEquals(
        at("2024-01-01T08:30:00Z"), nineThirty.next(at("2024-01-01T00:00:00Z")), "CET is UTC+1");
    assertEquals(
        at("2024-07-01T07:30:00Z"), nineThirty.next(at("2024-07-01T00:00:00Z")), "CEST is UTC+2");
  }

  @Test
  void aTimeSkippedBySpringForwardDoesNotOccurAndARepeatedTimeFiresOnce() {
    TimerSchedule twoThirty = TimerSchedule.parse("0 30 2 * * *", BERLIN);
    // 2024-03-31 02:00 CET jumps to 03:00 CEST: no 02:30 that day
    assertEquals(at("2024-04-01T00:30:00Z"), twoThirty.next(at("2024-03-30T12:00:00Z")));
    // 2024-10-27 03:00 CEST goes back to 02:00 CET: 02:30 happens twice, fires at the first
    Instant first = twoThirty.next(at("2024-10-26T12:00:00Z"));
    assertEquals(at("2024-10-27T00:30:00Z"), first);
    assertEquals(at("2024-10-28T01:30:00Z"), twoThirty.next(first));
  }

  @Test
  void timeSpansInAzuresForms() {
    Instant t = at("2024-01-01T00:00:00Z");
    assertEquals(
        t.plus(Duration.ofMinutes(1)), TimerSchedule.parse("00:01:00", ZoneOffset.UTC).next(t));
    assertEquals(
        t.plus(Duration.ofHours(23)), TimerSchedule.parse("23:00:00", ZoneOffset.UTC).next(t));
    assertEquals(
        t.plus(Duration.ofDays(24)),
        TimerSchedule.parse("24:00:00", ZoneOffset.UTC).next(t),
        "dd:hh:mm from 24 on");
    assertEquals(
        t.plus(Duration.ofDays(1).plusHours(2)),
        TimerSchedule.parse("1.02:00:00", ZoneOffset.UTC).next(t));
    assertTrue(TimerSchedule.parse("00:00:30", ZoneOffset.UTC).isInterval());
    assertThrows(
        IllegalArgumentException.class, () -> TimerSchedule.parse("00:00:00", ZoneOffset.UTC));
    assertThrows(
        IllegalArgumentException.class, () -> TimerSchedule.parse("1:x:00", ZoneOffset.UTC));
    assertThrows(IllegalArgumentException.class, () -> TimerSchedule.parse("  ", ZoneOffset.UTC));
  }

  @Test
  void monitorIsOnByDefaultUnlessTheScheduleFiresMoreThanOnceAMinute() {
    Instant now = at("2024-01-01T00:00:00Z");
    assertTrue(
        new TimerPlan(TimerSchedule.parse("0 */5 * * * *", ZoneOffset.UTC)).monitorByDefault(now));
    assertTrue(
        new TimerPlan(TimerSchedule.parse("0 * * * * *", ZoneOffset.UTC)).monitorByDefault(now));
    assertFalse(
        new TimerPlan(TimerSchedule.parse("*/30 * * * * *", ZoneOffset.UTC)).monitorByDefault(now));
    assertFalse(
        new TimerPlan(TimerSchedule.parse("00:00:10", ZoneOffset.UTC)).monitorByDefault(now));
  }

  @Test
  void anOccurrenceMissedWhileDownRunsOnceAsPastDue() {
    TimerPlan plan = new TimerPlan(TimerSchedule.parse("0 0 * * * *", ZoneOffset.UTC));
    ScheduleStatus stored =
        new ScheduleStatus(
            at("2024-01-01T09:00:00Z"), at("2024-01-01T10:00:00Z"), at("2024-01-01T09:00:01Z"));
    // down from 09:30 to 12:10: 10:00, 11:00 and 12:00 were missed, one past-due run stands for
    // them
    TimerPlan.Start start = plan.onTakeOver(stored, at("2024-01-01T12:10:00Z"), true);
    assertTrue(start.pastDue());
    assertFalse(start.onStartup(), "the past-due run is the start-up run");
    assertEquals(at("2024-01-01T13:00:00Z"), start.next());
    // back before 10:00: nothing missed
    TimerPlan.Start early = plan.onTakeOver(stored, at("2024-01-01T09:40:00Z"), false);
    assertFalse(early.pastDue());
    assertEquals(at("2024-01-01T10:00:00Z"), early.next());
    // no status (first start anywhere, or no monitor): nothing is past due
    TimerPlan.Start fresh = plan.onTakeOver(null, at("2024-01-01T12:10:00Z"), true);
    assertFalse(fresh.pastDue());
    assertTrue(fresh.onStartup());
    assertEquals(at("2024-01-01T13:00:00Z"), plan.afterRun(at("2024-01-01T12:10:00Z")));
  }

  @Test
  void aTimeSpanCountsFromItsLastRunAcrossARestart() {
    TimerPlan plan = new TimerPlan(TimerSchedule.parse("01:00:00", ZoneOffset.UTC));
    ScheduleStatus stored =
        new ScheduleStatus(
            at("2024-01-01T09:00:00Z"), at("2024-01-01T10:00:00Z"), at("2024-01-01T09:00:01Z"));
    assertEquals(
        at("2024-01-01T10:00:00Z"),
        plan.onTakeOver(stored, at("2024-01-01T09:20:00Z"), false).next());
  }

  @Test
  void statusJsonHasTheAzureHostsShape() {
    ScheduleStatus status =
        new ScheduleStatus(null, at("2024-01-01T10:00:00Z"), at("2024-01-01T09:00:01.5Z"));
    JsonObject json = status.toJson(BERLIN);
    assertEquals("0001-01-01T00:00:00", json.getString("Last"));
    assertEquals("2024-01-01T11:00:00+01:00", json.getString("Next"));
    assertEquals("2024-01-01T10:00:01+01:00", json.getString("LastUpdated"));
    ScheduleStatus back = ScheduleStatus.fromJson(json);
    assertNull(back.last());
    assertEquals(status.next(), back.next());
  }

  @Test
  void optionsReadSettingsTimeZoneAndHostJson() {
    Instant now = at("2024-01-01T00:00:00Z");
    AppSettings settings =
        new AppSettings(Map.of("Nightly", "0 30 2 * * *", "WEBSITE_TIME_ZONE", "Europe/Berlin"));
    TimerRunner.Options o =
        TimerTriggerProvider.options("%Nightly%", settings, new JsonObject(), now);
    assertEquals("0 30 2 * * *", o.scheduleText());
    assertEquals(BERLIN, o.zone());
    assertTrue(o.useMonitor());
    assertFalse(o.runOnStartup());
    TimerRunner.Options set =
        TimerTriggerProvider.options(
            "%Nightly%",
            settings, new JsonObject().put("useMonitor", false).put("runOnStartup", true), now);
    assertFalse(set.useMonitor());
    assertTrue(set.runOnStartup());
    assertEquals(
        ZoneId.of("America/New_York"),
        TimerTriggerProvider.options(
                "0 * * * * *",
                new AppSettings(Map.of("TZ", "America/New_York")),
                new JsonObject(),
                now)
            .zone());
    assertEquals(
        ZoneOffset.UTC,
        TimerTriggerProvider.options(
                "0 * * * * *", new AppSettings(Map.of()), new JsonObject(), now)
            .zone());
    IllegalArgumentException zone =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TimerTriggerProvider.options(
                    "0 * * * * *",
                    new AppSettings(Map.of("WEBSITE_TIME_ZONE", "Mars/Olympus")),
                    new JsonObject(),
                    now));
    assertTrue(zone.getMessage().contains("Mars/Olympus"), zone.getMessage());
    IllegalArgumentException never =
        assertThrows(
            IllegalArgumentException.class,
            () -> TimerTriggerProvider.options("0 0 0 30 2 *", settings, new JsonObject(), now));
    assertTrue(never.getMessage().contains("never fires"), never.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            TimerTriggerProvider.options(
                "0 * * * * *", settings, new JsonObject().put("runOnStartup", "yes"), now));
  }
}
