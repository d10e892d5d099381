package dev.veil.triggers.timer;

import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Timer functions for {@link TimerTriggerTest}; each call's TimerInfo JSON is kept per function.
 */
public class TimerTestFunctions {
  static final Map<String, List<JsonObject>> CALLS = new ConcurrentHashMap<>();

  static List<JsonObject> calls(String function) {
    return CALLS.computeIfAbsent(function, f -> new CopyOnWriteArrayList<>());
  }

  @FunctionName("everySecond")
  public void everySecond(@TimerTrigger(name = "timer", schedule = "%EverySecond%") String timer) {
    calls("everySecond").add(new JsonObject(timer));
  }

  @FunctionName("monitored")
  public void monitored(@TimerTrigger(name = "timer", schedule = "*/2 * * * * *") String timer) {
    calls("monitored").add(new JsonObject(timer));
  }

  @FunctionName("yearly")
  public void yearly(@TimerTrigger(name = "timer", schedule = "0 0 0 1 1 *") TimerInfo timer) {
    calls("yearly")
        .add(
            JsonObject.mapFrom(
                Map.of("IsPastDue", timer.IsPastDue, "hasStatus", timer.ScheduleStatus != null)));
  }

  /** The TimerInfo JSON bound to a POJO, as Azure's Java worker binds it. */
  public static class TimerInfo {
    public Map<String, Object> Schedule;
    public Map<String, Object> ScheduleStatus;
    public boolean IsPastDue;
  }
}
