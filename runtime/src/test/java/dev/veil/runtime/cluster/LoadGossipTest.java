package dev.veil.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' load gossip over one event bus (the clustered event bus delivers a publish the same
 * way).
 */
class LoadGossipTest {
  private static final Duration PERIOD = Duration.ofMillis(50);
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void eachNodeSeesTheOthersInFlightCountAndForgetsANodeThatStopsReporting() throws Exception {
    AtomicInteger aInFlight = new AtomicInteger(5);
    AtomicInteger bInFlight = new AtomicInteger(0);
    LoadGossip a = new LoadGossip(vertx, "node-a", aInFlight::get, PERIOD);
    LoadGossip b = new LoadGossip(vertx, "node-b", bInFlight::get, PERIOD);
    await(a.start());
    await(b.start());

    awaitView(b::reported, Map.of("node-a", 5));
    awaitView(a::reported, Map.of("node-b", 0)); // a node never lists itself
    aInFlight.set(2);
    bInFlight.set(7);
    awaitView(b::reported, Map.of("node-a", 2));
    awaitView(a::reported, Map.of("node-b", 7));

    await(a.stop()); // a crashed node stops publishing: its last figure goes stale
    awaitView(b::reported, Map.of());
    await(b.stop());
  }

  private static void awaitView(Supplier<Map<String, Integer>> view, Map<String, Integer> expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!view.get().equals(expected) && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(expected, view.get());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
