package dev.veil.runtime.spi;

import io.vertx.core.Future;
import java.util.Map;

/** A running trigger for one function. */
public interface TriggerHandle {

  /**
   * Stops intake of new events; the future completes once the invocations this trigger started have
   * finished (offsets committed, blobs marked, responses written).
   */
  Future<Void> stop();

  /** Facts shown in {@code /admin/functions}, e.g. {@code route} and {@code methods} for HTTP. */
  default Map<String, Object> describe() {
    return Map.of();
  }

  /**
   * The trigger value for a run by hand ({@code POST /admin/functions/{name}} with {@code {"input":
   * ...}}); by default the input itself. A timer, for instance, passes its {@code TimerInfo}
   * whatever the input.
   */
  default TriggerInput manualInput(Object input) {
    return TriggerInput.of(input);
  }
}
