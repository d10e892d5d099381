package dev.veil.functions.encrypted;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where this JVM's CPU time went between two points, per thread group: every OS thread of the
 * process (Java threads, the JVM's GC and JIT threads, native threads), read from Linux's
 * /proc/self/task/TID/schedstat (nanoseconds on a CPU) and grouped by the thread's name with its
 * digits replaced by '#'. Unlike wall-clock time this does not move with other jobs on a shared
 * machine.
 */
final class CpuByThread {
  private final Map<String, Long> byThread = new HashMap<>(); // tid -> ns on CPU
  private final Map<String, String> names = new HashMap<>();
  private final long gcMillis;
  private final long gcCount;

  private CpuByThread() {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String schedstat = Files.readString(task.resolve("schedstat")).strip();
          String name = Files.readString(task.resolve("comm")).strip();
          byThread.put(task.getFileName().toString(), Long.parseLong(schedstat.split(" ")[0]));
          names.put(task.getFileName().toString(), name);
        } catch (IOException e) {
          // the thread ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("needs Linux's /proc/self/task", e);
    }
    long ms = 0;
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
      count += Math.max(0, gc.getCollectionCount());
    }
    gcMillis = ms;
    gcCount = count;
  }

  static CpuByThread now() {
    return new CpuByThread();
  }

  /**
   * CPU milliseconds per unit of work since {@code start}, by thread group, largest first, after
   * "process" (all threads), "GC pauses (wall)" and "GCs".
   */
  static Map<String, Double> perUnit(CpuByThread start, CpuByThread end, int units) {
    Map<String, Double> groups = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, Long> e : end.byThread.entrySet()) {
      long delta = e.getValue() - start.byThread.getOrDefault(e.getKey(), 0L);
      if (delta <= 0) continue;
      total += delta;
      String group = end.names.get(e.getKey()).replaceAll("[0-9]+", "#");
      groups.merge(group, delta / 1e6 / units, Double::sum);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("process", total / 1e6 / units);
    out.put("GC pauses (wall)", (end.gcMillis - start.gcMillis) / (double) units);
    out.put("GCs", (end.gcCount - start.gcCount) / (double) units);
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .filter(e -> e.getValue() >= 0.05)
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }
}
