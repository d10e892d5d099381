package dev.veil.runtime.spi;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Summaries that extensions contribute to this node's entry in {@code /admin/cluster} (e.g. the key cache:
 * key_ids and bytes; the accelerator pool: workers). Process-wide, because the summarized objects are.
 */
public final class NodeReports {
  private static final Map<String, Supplier<JsonObject>> REPORTS = new ConcurrentHashMap<>();

  private NodeReports() {}

  /** Adds or replaces the report under this name. */
  public static void register(String name, Supplier<JsonObject> report) {
    REPORTS.put(name, report);
  }

  public static void unregister(String name) {
    REPORTS.remove(name);
  }

  /** Every report by name; a report that throws shows its error instead. */
  public static JsonObject collect() {
    JsonObject out = new JsonObject();
    REPORTS.forEach((name, report) -> {
      try {
        out.put(name, report.get());
      } catch (RuntimeException e) {
        out.put(name, new JsonObject().put("error", e.toString()));
      }
    });
    return out;
  }
}
