package dev.veil.fpga;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Two pools in one registry each report their own gauges; a closed pool's gauges go away. */
class PoolMetersTest {
  @Test
  void twoPoolsInOneRegistryKeepTheirGaugesApart() throws Exception {
    Vertx vertx = Vertx.vertx();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ModelSpec digits = ModelSpec.fromJson("digits", TestModels.digits("cpu"));
    ModelSpec other = ModelSpec.fromJson("other-digits", TestModels.digits("cpu"));
    List<WorkerSpec> oneCpu =
        List.of(new WorkerSpec(DeviceKind.CPU, 1, 1, false, ExecutionBackend.Options.DEFAULT));
    try {
      AcceleratorPool first =
          TestModels.await(
              AcceleratorPool.start(vertx, List.of(digits), oneCpu, false, 60_000, registry));
      AcceleratorPool second =
          TestModels.await(
              AcceleratorPool.start(vertx, List.of(other), oneCpu, false, 60_000, registry));
      assertEquals(Set.of("digits", "other-digits"), pools(registry, "veil.pool.workers.healthy"));
      assertEquals(
          1.0,
          registry.get("veil.pool.workers.healthy").tag("pool", "other-digits").gauge().value(),
          "the second pool's gauge reads the second pool");
      assertEquals(
          Set.of("digits", "other-digits"), pools(registry, "veil.pool.worker.utilisation"));
      TestModels.await(second.close());
      assertEquals(Set.of("digits"), pools(registry, "veil.pool.workers.healthy"));
      assertEquals(Set.of("digits"), pools(registry, "veil.pool.queue.depth"));
      AcceleratorPool again =
          TestModels.await(
              AcceleratorPool.start(vertx, List.of(other), oneCpu, false, 60_000, registry));
      assertEquals(
          1.0,
          registry.get("veil.pool.workers.healthy").tag("pool", "other-digits").gauge().value(),
          "a pool started again reports itself, not the closed one");
      TestModels.await(again.close());
      TestModels.await(first.close());
    } finally {
      TestModels.await(vertx.close());
    }
  }

  private static Set<String> pools(SimpleMeterRegistry registry, String gauge) {
    return registry.find(gauge).gauges().stream()
        .map(g -> g.getId().getTag("pool"))
        .collect(Collectors.toSet());
  }
}
