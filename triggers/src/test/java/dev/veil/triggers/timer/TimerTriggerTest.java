package dev.veil.triggers.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Timer functions on a real host: every-second firing, start-up runs, the monitor status and
 * past-due runs.
 */
class TimerTriggerTest {
  private static final String MASTER_KEY = "timer-test-master-key";
  private static final JsonObject HOST_JSON =
      new JsonObject()
          .put(
              "extensions",
              new JsonObject()
                  .put(
                      "timers",
                      new JsonObject()
                          .put("monitored", new JsonObject().put("useMonitor", true))
                          .put("yearly", new JsonObject().put("runOnStartup", true))));

  @TempDir Path data;

  private VeilHost start() throws Exception {
    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(TimerTestFunctions.class)
                    .hostJson(HOST_JSON)
                    .setting("EverySecond", "* * * * * *")
                    .setting("VEIL_MASTER_KEY", MASTER_KEY))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    assertEquals(Map.of(), host.disabledFunctions());
    return host;
  }

  private static void stop(VeilHost host) throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void firesOnScheduleRunsOnStartupAndCatchesUpAMissedOccurrenceOnce() throws Exception {
    Path status = data.resolve("blobs/azure-webjobs-hosts/timers/veil/monitored/status");
    VeilHost host = start();
    Waits.until(
        () ->
            TimerTestFunctions.calls("everySecond").size() >= 3
                && TimerTestFunctions.calls("monitored").size() >= 1,
        Duration.ofSeconds(20),
        "timer calls");
    Waits.until(() -> Files.exists(status), Duration.ofSeconds(5), "the monitor status");
    assertEquals(
        List.of(new JsonObject().put("IsPastDue", false).put("hasStatus", true)),
        TimerTestFunctions.calls("yearly"),
        "runOnStartup runs once; a yearly schedule is monitored by default");

    JsonObject everySecond = TimerTestFunctions.calls("everySecond").get(0);
    assertFalse(everySecond.getBoolean("IsPastDue"));
    assertTrue(everySecond.getJsonObject("Schedule").getBoolean("AdjustForDST"));
    assertTrue(everySecond.containsKey("ScheduleStatus"));
    assertNull(
        everySecond.getValue("ScheduleStatus"),
        "no monitor for a schedule that fires every second");

    JsonObject monitored = TimerTestFunctions.calls("monitored").get(0);
    assertFalse(monitored.getBoolean("IsPastDue"));
    Instant occurrence =
        OffsetDateTime.parse(monitored.getJsonObject("ScheduleStatus").getString("Next"))
            .toInstant();
    assertEquals(
        0, occurrence.getEpochSecond() % 2, "Next is the occurrence being run: an even second");

    // Runnable by hand through the admin API, like the Azure host's non-HTTP functions.
    HttpResponse<String> admin =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + host.port() + "/admin/functions/yearly"))
                    .header("x-functions-key", MASTER_KEY)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"input\": \"\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(202, admin.statusCode(), admin.body());
    Waits.until(
        () -> TimerTestFunctions.calls("yearly").size() == 2,
        Duration.ofSeconds(10),
        "the admin run");
    stop(host);

    JsonObject stored = new JsonObject(Files.readString(status));
    assertEquals(stored.fieldNames(), java.util.Set.of("Last", "Next", "LastUpdated"));
    Instant next = OffsetDateTime.parse(stored.getString("Next")).toInstant();
    assertTrue(
        OffsetDateTime.parse(stored.getString("Last")).toInstant().isBefore(next), stored.encode());

    // Down past the stored next occurrence: the first run after the restart is past due, and only
    // that one.
    while (!Instant.now().isAfter(next.plusMillis(300))) Thread.sleep(100);
    int before = TimerTestFunctions.calls("monitored").size();
    host = start();
    Waits.until(
        () -> TimerTestFunctions.calls("monitored").size() >= before + 3,
        Duration.ofSeconds(20),
        "runs after the restart");
    stop(host);
    List<JsonObject> after =
        TimerTestFunctions.calls("monitored")
            .subList(before, TimerTestFunctions.calls("monitored").size());
    assertTrue(after.get(0).getBoolean("IsPastDue"), after.toString());
    assertEquals(
        next.toString(),
        OffsetDateTime.parse(after.get(0).getJsonObject("ScheduleStatus").getString("Next"))
            .toInstant()
            .toString(),
        "the missed occurrence");
    assertEquals(
        1, after.stream().filter(c -> c.getBoolean("IsPastDue")).count(), after.toString());
    assertEquals(
        3, TimerTestFunctions.calls("yearly").size(), "runOnStartup again at the second start");
  }
}
