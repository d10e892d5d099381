package dev.veil.triggers.timer;

import com.microsoft.azure.functions.annotation.TimerTrigger;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerInput;
import dev.veil.runtime.spi.TriggerProvider;
import dev.veil.triggers.blob.BlobFiles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code @TimerTrigger}: {@code schedule} is an NCRONTAB expression or a TimeSpan, or {@code
 * %setting%} naming one. The time zone is app setting {@code WEBSITE_TIME_ZONE}, else {@code TZ}
 * (IANA ids such as {@code Europe/Berlin}), else UTC. The Java annotation has no {@code
 * runOnStartup} / {@code useMonitor}, so they come from host.json {@code
 * extensions.timers.<function>} (as in a function.json written by hand); {@code useMonitor}
 * defaults to Azure's rule (on unless the schedule fires more than once a minute). Monitor status
 * lives where {@code AzureWebJobsStorage} points (the host's local blob directory when unset);
 * hosts of one app must share it for missed runs to be caught after a fail-over.
 */
public final class TimerTriggerProvider implements TriggerProvider {

  @Override
  public Class<? extends Annotation> annotation() {
    return TimerTrigger.class;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function) {
    TimerTrigger trigger = function.trigger(TimerTrigger.class).orElseThrow();
    TimerRunner.Options options;
    BlobFiles storage;
    Clock clock = Clock.systemUTC();
    try {
      options =
          options(
              trigger.schedule(),
              context.settings(),
              context
                  .hostConfig()
                  .extension("timers")
                  .getJsonObject(function.name(), new JsonObject()),
              clock.instant());
      storage = BlobFiles.forConnection("", context.settings(), context.dataDirectory());
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalArgumentException("function " + function.name() + ": " + e.getMessage(), e));
    }
    TimerRunner runner =
        new TimerRunner(
            context.vertx(),
            clock,
            function,
            context.invoker(),
            context.leases(),
            storage,
            options);
    runner.start();
    return Future.succeededFuture(
        new TriggerHandle() {
          @Override
          public Future<Void> stop() {
            return runner
                .stop()
                .eventually(
                    () -> {
                      storage.close();
                      return Future.succeededFuture();
                    });
          }

          @Override
          public Map<String, Object> describe() {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("schedule", options.scheduleText());
            facts.put("timeZone", options.zone().getId());
            facts.put("useMonitor", options.useMonitor());
            facts.put("runOnStartup", options.runOnStartup());
            facts.put("firesHere", runner.holding());
            Instant next = runner.next();
            if (next != null) facts.put("next", ScheduleStatus.format(next, options.zone()));
            return facts;
          }

          @Override
          public TriggerInput manualInput(Object input) {
            return TriggerInput.of(
                runner.timerInfo(null, false).encode()); // Azure ignores the input for timers too
          }
        });
  }

  /**
   * @param perFunction host.json {@code extensions.timers.<function>}
   */
  static TimerRunner.Options options(
      String schedule, AppSettings settings, JsonObject perFunction, Instant now) {
    String text = settings.expand(schedule == null ? "" : schedule).trim();
    ZoneId zone = zone(settings);
    TimerSchedule parsed = TimerSchedule.parse(text, zone);
    if (parsed.next(now) == null) {
      throw new IllegalArgumentException("timer schedule '" + text + "' never fires");
    }
    Object monitor = perFunction.getValue("useMonitor");
    Object startup = perFunction.getValue("runOnStartup", false);
    if ((monitor != null && !(monitor instanceof Boolean)) || !(startup instanceof Boolean)) {
      throw new IllegalArgumentException(
          "host.json extensions.timers: useMonitor and runOnStartup must be true or false");
    }
    boolean useMonitor =
        monitor != null ? (Boolean) monitor : new TimerPlan(parsed).monitorByDefault(now);
    return new TimerRunner.Options(parsed, text, zone, (Boolean) startup, useMonitor);
  }

  private static ZoneId zone(AppSettings settings) {
    String id =
        settings.get("WEBSITE_TIME_ZONE").or(() -> settings.get("TZ")).map(String::trim).orElse("");
    if (id.isEmpty()) return ZoneOffset.UTC;
    try {
      return ZoneId.of(id);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "time zone '"
              + id
              + "' (WEBSITE_TIME_ZONE / TZ) is not an IANA zone id "
              + "such as Europe/Berlin or UTC");
    }
  }
}
