package dev.veil.runtime.spi;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Summaries that extensions contribute to this node's entry in {@code /admin/cluster} (e.g. the key
 * cache: key_ids and bytes; the accelerator pool: workers). One per host (see {@link
 * HostScope#nodeReports()}).
 */
public final class NodeReports {
  private final Map<String, Supplier<Future<JsonObject>>> reports = new ConcurrentHashMap<>();

  /** Adds or replaces the report under this name. */
  public void register(String name, Supplier<Future<JsonObject>> report) {
    reports.put(name, report);
  }

  public void unregister(String name) {
    reports.remove(name);
  }

  /** Every report by name; a report that fails shows its error instead. */
  public Future<JsonObject> collect() {
    Map<String, Future<JsonObject>> pending = new TreeMap<>();
    reports.forEach(
        (name, report) -> {
          Future<JsonObject> f;
          try {
            f = report.get();
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          pending.put(name, f.otherwise(err -> new JsonObject().put("error", err.toString())));
        });
    return Future.join(List.copyOf(pending.values()))
        .transform(
            ar -> {
              JsonObject out = new JsonObject();
              pending.forEach((name, f) -> out.put(name, f.result()));
              return Future.succeededFuture(out);
            });
  }
}
