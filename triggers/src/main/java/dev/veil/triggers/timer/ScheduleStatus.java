package dev.veil.triggers.timer;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * A monitored timer's schedule status, as the Azure host keeps it in {@code
 * azure-webjobs-hosts/timers/<host id>/<function>/status}: the occurrence that last ran, the next
 * one, and when the record was written. {@code last} is null before the first run.
 */
record ScheduleStatus(Instant last, Instant next, Instant lastUpdated) {

  /** Azure's "never": {@code DateTime.MinValue}. */
  private static final String NEVER = "0001-01-01T00:00:00";

  /** The status JSON in the Azure host's shape, times with the zone's offset. */
  JsonObject toJson(ZoneId zone) {
    return new JsonObject()
        .put("Last", format(last, zone))
        .put("Next", format(next, zone))
        .put("LastUpdated", format(lastUpdated, zone));
  }

  static ScheduleStatus fromJson(JsonObject json) {
    return new ScheduleStatus(
        parse(json.getString("Last")),
        parse(json.getString("Next")),
        parse(json.getString("LastUpdated")));
  }

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

  static String format(Instant t, ZoneId zone) {
    return t == null ? NEVER : FORMAT.format(OffsetDateTime.ofInstant(t, zone));
  }

  private static Instant parse(String text) {
    if (text == null || text.startsWith("0001-01-01")) return null;
    return OffsetDateTime.parse(text).toInstant();
  }
}
