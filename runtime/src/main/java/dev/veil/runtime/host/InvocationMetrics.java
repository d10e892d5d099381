package dev.veil.runtime.host;

import com.microsoft.azure.functions.HttpResponseMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Per-function meters: {@code veil_invocations_total{function,status}}, {@code
 * veil_invocation_errors_total{function,kind}} and the {@code veil_invocation_duration_seconds}
 * histogram. Meters are cached so the hot path does no registry lookups.
 */
final class InvocationMetrics {
  static final String SUCCESS = "success";

  /** The function answered an HTTP 4xx itself: the caller's mistake, not a success. */
  static final String CLIENT_ERROR = "client_error";

  /** The function answered an HTTP 5xx itself. */
  static final String SERVER_ERROR = "server_error";

  // Histogram buckets from 1 ms to 1 min: enough resolution for model calls, cheaper to record than
  // Micrometer's ~70 defaults.
  private static final Duration[] BUCKETS =
      Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
          .map(Duration::ofMillis)
          .toArray(Duration[]::new);

  private final MeterRegistry registry;
  private final Map<String, Map<String, Meters>> byFunction = new ConcurrentHashMap<>();

  InvocationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * {@link #SUCCESS}, or {@link #CLIENT_ERROR} / {@link #SERVER_ERROR} for an HTTP error answer the
   * function returned.
   */
  static String statusOf(Object value) {
    if (!(value instanceof HttpResponseMessage answer)) return SUCCESS;
    int code = answer.getStatusCode();
    return code >= 500 ? SERVER_ERROR : code >= 400 ? CLIENT_ERROR : SUCCESS;
  }

  /**
   * @param status {@link #SUCCESS} or a failure kind in lower case
   */
  void record(String function, String status, long nanos) {
    // Two lookups instead of one on a concatenated key: nothing allocated per invocation.
    Meters m =
        byFunction
            .computeIfAbsent(function, f -> new ConcurrentHashMap<>())
            .computeIfAbsent(status, s -> new Meters(function, s));
    m.count.increment();
    m.duration.record(nanos, TimeUnit.NANOSECONDS);
    if (m.errors != null) m.errors.increment();
  }

  private final class Meters {
    final Counter count;
    final Timer duration;
    final Counter errors;

    Meters(String function, String status) {
      count =
          Counter.builder("veil.invocations")
              .description("Invocations by outcome")
              .tag("function", function)
              .tag("status", status)
              .register(registry);
      duration =
          Timer.builder("veil.invocation.duration")
              .description("Invocation time from intake to completion")
              .tag("function", function)
              .tag("status", status)
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
      errors =
          status.equals(SUCCESS)
              ? null
              : Counter.builder("veil.invocation.errors")
                  .description("Failed invocations by failure kind")
                  .tag("function", function)
                  .tag("kind", status)
                  .register(registry);
    }
  }
}
