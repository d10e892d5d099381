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

  /**
   * Completes once the trigger is live: it takes events (a Kafka consumer has joined its group and
   * been given its partitions). The host's {@code /health/ready} answers 200 only after every
   * trigger's has completed; by default a trigger is live as soon as it started.
   */
  default Future<Void> live() {
    return Future.succeededFuture();
  }

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
