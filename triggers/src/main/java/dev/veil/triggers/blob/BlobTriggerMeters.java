package dev.veil.triggers.blob;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One blob trigger's figures on the host's meters (for /metrics and the dashboard), tagged with its
 * function and container: {@code veil.blob.last.scan} (when this node last listed the container,
 * epoch seconds, 0 before the first listing), {@code veil.blob.receipts} (blobs this node knows as
 * done) and {@code veil.blob.poison} (blobs given up on).
 */
final class BlobTriggerMeters {
  private final MeterRegistry registry;
  private final AtomicLong lastScan = new AtomicLong();
  private final Counter poison;
  private final List<Meter> meters;

  BlobTriggerMeters(
      MeterRegistry registry, String function, String container, Set<String> receipts) {
    this.registry = registry;
    Tags tags = Tags.of("function", function, "container", container);
    poison =
        Counter.builder("veil.blob.poison")
            .tags(tags)
            .description("blobs that failed maxDequeueCount times and got a poison record")
            .register(registry);
    meters =
        List.of(
            poison,
            Gauge.builder("veil.blob.last.scan", lastScan, AtomicLong::get)
                .tags(tags)
                .baseUnit("seconds")
                .description("when this node last listed the trigger's container (epoch seconds)")
                .register(registry),
            Gauge.builder("veil.blob.receipts", receipts, Set::size)
                .tags(tags)
                .description("blobs with a receipt: processed (or poison) and not processed again")
                .strongReference(true)
                .register(registry));
  }

  void scanned() {
    lastScan.set(Instant.now().getEpochSecond());
  }

  void poisoned() {
    poison.increment();
  }

  /** Takes the meters off the registry (the trigger stopped). */
  void remove() {
    meters.forEach(registry::remove);
  }
}
