package dev.veil.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The host's meters sampled every few seconds (only while someone is signed in), kept for the last
 * {@link #POINTS} samples, and turned into the dashboard's time series: per function invocations/s,
 * error rate, p50 and p99 (from the duration histogram's buckets between two samples); the key
 * cache's entries, hit rate, downloads and evictions; the accelerator pool's utilisation and queue
 * depth. Reads the meters the host and its functions already register.
 */
final class MeterHistory {
  static final int POINTS = 120;

  /** One function's cumulative figures at a sample. */
  private record FunctionSample(double count, double errors, double[] bounds, double[] buckets) {}

  private record Sample(
      long t,
      Map<String, FunctionSample> functions,
      Map<String, Double> cache,
      Map<String, Double> utilisation,
      double queueDepth) {}

  private final MeterRegistry registry;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  MeterHistory(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Takes one sample (event loop; reads in-memory meters only). */
  synchronized void sample() {
    Map<String, FunctionSample> functions = new TreeMap<>();
    Map<String, double[]> counts = new HashMap<>();
    for (Counter c : registry.find("veil.invocations").counters()) {
      double[] ce = counts.computeIfAbsent(c.getId().getTag("function"), f -> new double[2]);
      ce[0] += c.count();
      if (!"success".equals(c.getId().getTag("status"))) ce[1] += c.count();
    }
    Map<String, double[][]> histograms = new HashMap<>();
    for (Timer t : registry.find("veil.invocation.duration").timers()) {
      CountAtBucket[] b = t.takeSnapshot().histogramCounts();
      double[][] h =
          histograms.computeIfAbsent(
              t.getId().getTag("function"), f -> new double[][] {bounds(b), new double[b.length]});
      for (int i = 0; i < b.length && i < h[1].length; i++) h[1][i] += b[i].count();
    }
    counts.forEach(
        (fn, ce) -> {
          double[][] h = histograms.getOrDefault(fn, new double[][] {new double[0], new double[0]});
          functions.put(fn, new FunctionSample(ce[0], ce[1], h[0], h[1]));
        });
    Map<String, Double> cache = new HashMap<>();
    cache.put("entries", sum(registry.find("cache.size").meters()));
    cache.put("hits", sum(registry.find("cache.gets").tag("result", "hit").meters()));
    cache.put("misses", sum(registry.find("cache.gets").tag("result", "miss").meters()));
    cache.put("evictions", sum(registry.find("cache.evictions").meters()));
    cache.put("downloads", sum(registry.find("veil.keys.downloads").meters()));
    Map<String, Double> utilisation = new TreeMap<>();
    for (Gauge g : registry.find("veil.pool.worker.utilisation").gauges()) {
      utilisation.put(
          g.getId().getTag("worker") + " (" + g.getId().getTag("device") + ")", g.value());
    }
    double queue = sum(registry.find("veil.pool.queue.depth").meters());
    samples.addLast(new Sample(System.currentTimeMillis(), functions, cache, utilisation, queue));
    while (samples.size() > POINTS + 1) samples.removeFirst();
  }

  /** The series between consecutive samples, for the page's charts and tables. */
  synchronized JsonObject json() {
    List<Sample> s = new ArrayList<>(samples);
    JsonArray times = new JsonArray();
    JsonObject functions = new JsonObject();
    JsonObject cache = new JsonObject();
    JsonObject pool = new JsonObject();
    for (String k : List.of("entries", "hitRate", "downloadsPerS", "evictionsPerS"))
      cache.put(k, new JsonArray());
    pool.put("queueDepth", new JsonArray()).put("utilisation", new JsonObject());
    for (int i = 1; i < s.size(); i++) {
      Sample a = s.get(i - 1);
      Sample b = s.get(i);
      double seconds = Math.max(0.001, (b.t() - a.t()) / 1000.0);
      times.add(b.t() / 1000);
      int point = i - 1;
      b.functions()
          .forEach(
              (fn, now) -> {
                FunctionSample before = a.functions().get(fn);
                JsonObject f = functions.getJsonObject(fn);
                if (f == null) {
                  f = new JsonObject();
                  for (String k : List.of("rate", "errorRate", "p50", "p99"))
                    f.put(k, padded(point));
                  functions.put(fn, f);
                }
                double n = now.count() - (before == null ? 0 : before.count());
                double e = now.errors() - (before == null ? 0 : before.errors());
                f.getJsonArray("rate").add(round(n / seconds));
                f.getJsonArray("errorRate").add(n > 0 ? round(e / n) : null);
                f.getJsonArray("p50").add(quantile(before, now, n, 0.5));
                f.getJsonArray("p99").add(quantile(before, now, n, 0.99));
              });
      functions.forEach(
          entry -> {
            JsonObject f = (JsonObject) entry.getValue();
            for (String k : List.of("rate", "errorRate", "p50", "p99")) {
              JsonArray series = f.getJsonArray(k);
              while (series.size() <= point) series.add((Object) null);
            }
          });
      double gets =
          b.cache().get("hits")
              + b.cache().get("misses")
              - a.cache().get("hits")
              - a.cache().get("misses");
      cache.getJsonArray("entries").add(b.cache().get("entries"));
      cache
          .getJsonArray("hitRate")
          .add(gets > 0 ? round((b.cache().get("hits") - a.cache().get("hits")) / gets) : null);
      cache
          .getJsonArray("downloadsPerS")
          .add(round((b.cache().get("downloads") - a.cache().get("downloads")) / seconds));
      cache
          .getJsonArray("evictionsPerS")
          .add(round((b.cache().get("evictions") - a.cache().get("evictions")) / seconds));
      pool.getJsonArray("queueDepth").add(b.queueDepth());
      JsonObject util = pool.getJsonObject("utilisation");
      b.utilisation()
          .forEach(
              (w, u) -> {
                if (!util.containsKey(w)) util.put(w, padded(point));
                util.getJsonArray(w).add(round(u));
              });
    }
    if (!s.isEmpty()) {
      Sample last = s.get(s.size() - 1);
      cache.put(
          "totals",
          new JsonObject()
              .put("hits", last.cache().get("hits"))
              .put("misses", last.cache().get("misses"))
              .put("downloads", last.cache().get("downloads"))
              .put("evictions", last.cache().get("evictions")));
    }
    pool.put("batchSizes", batchSizes());
    return new JsonObject()
        .put("t", times)
        .put("functions", functions)
        .put("keyCache", cache)
        .put("pool", pool)
        .put("gauges", otherGauges());
  }

  /** How many batches of each size the pool sent since the host started, by model. */
  private JsonObject batchSizes() {
    JsonObject out = new JsonObject();
    for (DistributionSummary d : registry.find("veil.pool.batch.size").summaries()) {
      CountAtBucket[] b = d.takeSnapshot().histogramCounts();
      JsonObject sizes = new JsonObject();
      double below = 0;
      for (CountAtBucket c : b) {
        double n = c.count() - below;
        below = c.count();
        if (n > 0) sizes.put(String.valueOf((long) c.bucket()), (long) n);
      }
      out.put(d.getId().getTag("model"), sizes);
    }
    return out;
  }

  /**
   * The Kafka triggers' lag per partition and consumer group, and the blob triggers' scans,
   * receipts and poison counts, by meter name and tags.
   */
  private JsonArray otherGauges() {
    JsonArray out = new JsonArray();
    for (Meter m : registry.getMeters()) {
      String name = m.getId().getName();
      if (!(name.equals("veil.kafka.lag") || name.startsWith("veil.blob."))) continue;
      JsonObject tags = new JsonObject();
      m.getId().getTags().forEach(t -> tags.put(t.getKey(), t.getValue()));
      out.add(new JsonObject().put("name", name).put("tags", tags).put("value", value(m)));
    }
    return out;
  }

  private static double value(Meter m) {
    if (m instanceof Gauge g) return g.value();
    if (m instanceof Counter c) return c.count();
    if (m instanceof FunctionCounter c) return c.count();
    double v = Double.NaN;
    for (var measurement : m.measure()) v = measurement.getValue();
    return v;
  }

  /**
   * The upper bound (ms) of the first duration bucket holding the {@code q} quantile of the
   * invocations between two samples; {@code null} when there were none.
   */
  private static Double quantile(FunctionSample before, FunctionSample now, double n, double q) {
    if (n <= 0 || now.buckets().length == 0) return null;
    double target = q * n;
    for (int i = 0; i < now.buckets().length; i++) {
      double inBucket =
          now.buckets()[i]
              - (before == null || before.buckets().length <= i ? 0 : before.buckets()[i]);
      if (inBucket >= target) return now.bounds()[i];
    }
    return null; // beyond the largest bucket
  }

  private static double[] bounds(CountAtBucket[] b) {
    double[] out = new double[b.length];
    for (int i = 0; i < b.length; i++) out[i] = b[i].bucket(TimeUnit.MILLISECONDS);
    return out;
  }

  private static double sum(java.util.Collection<Meter> meters) {
    double total = 0;
    for (Meter m : meters) {
      double v = value(m);
      if (!Double.isNaN(v)) total += v;
    }
    return total;
  }

  private static JsonArray padded(int nulls) {
    JsonArray a = new JsonArray();
    for (int i = 0; i < nulls; i++) a.add((Object) null);
    return a;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
