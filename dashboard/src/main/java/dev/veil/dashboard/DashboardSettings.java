package dev.veil.dashboard;

import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * host.json {@code veil.dashboard}: {@code enabled} (default true), {@code sessionSeconds} (how
 * long a sign-in lasts, default 1800), {@code logLines} (invocations kept for the log view, default
 * 10000), {@code maxSessions} (signed-in browsers at once, default 32), {@code sampleSeconds} (how
 * often the charts' meters are read while someone is signed in, default 5).
 */
record DashboardSettings(
    boolean enabled, Duration sessionTtl, int logLines, int maxSessions, Duration sampleEvery) {

  static DashboardSettings from(JsonObject hostJson) {
    Object veil = hostJson.getValue("veil");
    Object section = veil instanceof JsonObject v ? v.getValue("dashboard") : null;
    if (section != null && !(section instanceof JsonObject))
      throw new IllegalArgumentException("host.json: 'veil.dashboard' must be an object");
    JsonObject c = section == null ? new JsonObject() : (JsonObject) section;
    try {
      long seconds = c.getLong("sessionSeconds", 1800L);
      int lines = c.getInteger("logLines", 10_000);
      int sessions = c.getInteger("maxSessions", 32);
      int sample = c.getInteger("sampleSeconds", 5);
      if (sample < 1 || sample > 3600)
        throw new IllegalArgumentException("sampleSeconds must be 1..3600, got " + sample);
      if (seconds < 1 || seconds > 7 * 24 * 3600)
        throw new IllegalArgumentException("sessionSeconds must be 1..604800, got " + seconds);
      if (lines < 1 || lines > 1_000_000)
        throw new IllegalArgumentException("logLines must be 1..1000000, got " + lines);
      if (sessions < 1 || sessions > 10_000)
        throw new IllegalArgumentException("maxSessions must be 1..10000, got " + sessions);
      return new DashboardSettings(
          c.getBoolean("enabled", true),
          Duration.ofSeconds(seconds),
          lines,
          sessions,
          Duration.ofSeconds(sample));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("host.json veil.dashboard: " + e.getMessage(), e);
    }
  }
}
