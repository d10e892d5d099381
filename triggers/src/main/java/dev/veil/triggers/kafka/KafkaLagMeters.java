package dev.veil.triggers.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * A Kafka trigger's consumer lag per assigned partition on the host's meters (for /metrics and the
 * dashboard): {@code veil.kafka.lag{function,group,topic,partition}}, read from the consumer's own
 * {@code records-lag} metric, which each fetch updates. Partitions come and go with rebalances, so
 * the list is refreshed every few seconds.
 */
final class KafkaLagMeters {
  private static final long REFRESH_MS = 5000;

  private final Vertx vertx;
  private final Supplier<Map<MetricName, ? extends Metric>> metrics;
  private final MeterRegistry registry;
  private final String function;
  private final String group;
  private final Map<MetricName, Gauge> gauges = new HashMap<>();
  private long timer = -1;

  KafkaLagMeters(
      Vertx vertx,
      Supplier<Map<MetricName, ? extends Metric>> metrics,
      MeterRegistry registry,
      String function,
      String group) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.registry = registry;
    this.function = function;
    this.group = group;
  }

  void start() {
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
  }

  synchronized void stop() {
    vertx.cancelTimer(timer);
    gauges.values().forEach(registry::remove);
    gauges.clear();
  }

  private synchronized void refresh() {
    Map<MetricName, ? extends Metric> now = metrics.get();
    gauges
        .entrySet()
        .removeIf(
            e -> {
              if (now.containsKey(e.getKey())) return false;
              registry.remove(e.getValue()); // the partition was revoked
              return true;
            });
    now.forEach(
        (name, metric) -> {
          Map<String, String> tags = name.tags();
          if (!name.name().equals("records-lag")
              || !name.group().equals("consumer-fetch-manager-metrics")
              || !tags.containsKey("topic")
              || !tags.containsKey("partition")
              || gauges.containsKey(name)) return;
          gauges.put(
              name,
              Gauge.builder("veil.kafka.lag", metric, KafkaLagMeters::value)
                  .tag("function", function)
                  .tag("group", group)
                  .tag("topic", tags.get("topic"))
                  .tag("partition", tags.get("partition"))
                  .description("records on the partition not yet fetched by the trigger's consumer")
                  .strongReference(true)
                  .register(registry));
        });
  }

  private static double value(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
