package dev.veil.runtime.host;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * When each start-up phase ended, in milliseconds since the JVM process started, so that a cold
 * start's time can be split into its parts (logged once the host is ready; see BENCHMARKS.md).
 */
public final class StartupTimeline {
  private final long processStart =
      ProcessHandle.current()
          .info()
          .startInstant()
          .map(java.time.Instant::toEpochMilli)
          .orElse(System.currentTimeMillis());
  private final Map<String, Long> marks = new LinkedHashMap<>();

  /** Records that {@code phase} ended now. */
  public synchronized void mark(String phase) {
    marks.put(phase, System.currentTimeMillis() - processStart);
  }

  /** "phase 123 ms, next 456 ms, ..." in the order marked. */
  @Override
  public synchronized String toString() {
    return marks.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", ", "", " (ms since the process started)"));
  }
}
