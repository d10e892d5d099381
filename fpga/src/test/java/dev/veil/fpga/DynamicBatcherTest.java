package dev.veil.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dynamic batcher against real ONNX Runtime sessions of the digits CNN. */
class DynamicBatcherTest {
  static Vertx vertx;
  static OnnxModel direct;

  @BeforeAll
  static void start() {
    // One event loop: tasks posted to any context run in order, which makes the full-queue test
    // exact.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    ModelSpec spec = ModelSpec.fromJson("digits", TestModels.digits("cpu"));
    direct =
        OnnxModel.load(
            spec,
            ExecutionBackend.resolve(DeviceKind.CPU, false, ExecutionBackend.Options.DEFAULT));
  }

  @AfterAll
  static void stop() throws Exception {
    direct.close();
    TestModels.await(vertx.close());
  }

  private static Router router(JsonObject model, SimpleMeterRegistry registry) throws Exception {
    JsonObject config =
        new JsonObject()
            .put("models", new JsonObject().put("digits", model))
            .put(
                "workers",
                new JsonArray()
                    .add(new JsonObject().put("device", "cpu").put("count", 1).put("capacity", 1)));
    return TestModels.await(Router.start(vertx, config, registry));
  }

  private static DistributionSummary batches(SimpleMeterRegistry registry) {
    return registry.get("veil.pool.batch.size").tag("model", "digits").summary();
  }

  @Test
  void concurrentRequestsAreBatchedAndAnsweredCorrectly() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Router router =
        router(
            TestModels.digits("cpu").put("maxBatchSize", 8).put("maxQueueDelayMs", 200), registry);
    try {
      Random random = new Random(42);
      List<float[]> inputs = new ArrayList<>();
      List<Future<float[]>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        float[] in = TestModels.randomSample(random, TestModels.DIGIT_SIZE);
        inputs.add(in);
        results.add(router.infer("digits", in));
      }
      for (int i = 0; i < inputs.size(); i++) {
        float[] expected = direct.run(List.of(inputs.get(i))).get(0);
        assertArrayEquals(expected, TestModels.await(results.get(i)), 1e-4f, "request " + i);
      }
      DistributionSummary sizes = batches(registry);
      assertEquals(32, (long) sizes.totalAmount());
      assertEquals(8.0, sizes.max());
      assertTrue(
          sizes.count() <= 8, "32 concurrent requests went out as " + sizes.count() + " batches");
    } finally {
      TestModels.await(router.close());
    }
  }

  @Test
  void partialBatchLeavesAfterMaxQueueDelay() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Router router =
        router(
            TestModels.digits("cpu").put("maxBatchSize", 8).put("maxQueueDelayMs", 150), registry);
    try {
      Random random = new Random(7);
      long start = System.nanoTime();
      // Queued in one event-loop turn, so a slow test thread cannot split them across the delay.
      Promise<List<Future<float[]>>> submitted = Promise.promise();
      vertx.runOnContext(
          v -> {
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++)
              results.add(
                  router.infer("digits", TestModels.randomSample(random, TestModels.DIGIT_SIZE)));
            submitted.complete(results);
          });
      for (Future<float[]> f : TestModels.await(submitted.future()))
        assertEquals(10, TestModels.await(f).length);
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      DistributionSummary sizes = batches(registry);
      assertEquals(1, sizes.count(), "three requests below maxBatchSize should leave as one batch");
      assertEquals(3.0, sizes.max());
      // The batch could not have left before the oldest request had waited the delay.
      assertTrue(waitedMs >= 150, "batch left after " + waitedMs + " ms, before max_queue_delay");
    } finally {
      TestModels.await(router.close());
    }
  }

  @Test
  void fullQueueRejectsWith429() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Router router =
        router(
            TestModels.digits("cpu")
                .put("maxBatchSize", 1)
                .put("maxQueueDelayMs", 0)
                .put("queueCapacity", 2),
            registry);
    try {
      float[] in = TestModels.randomSample(new Random(3), TestModels.DIGIT_SIZE);
      // Submitted in one event-loop turn: the worker takes the first, two wait, the rest find the
      // queue full.
      Promise<List<Future<float[]>>> submitted = Promise.promise();
      vertx.runOnContext(
          v -> {
            List<Future<float[]>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) all.add(router.infer("digits", in));
            submitted.complete(all);
          });
      int ok = 0;
      int rejected = 0;
      for (Future<float[]> f : TestModels.await(submitted.future())) {
        try {
          TestModels.await(f);
          ok++;
        } catch (java.util.concurrent.ExecutionException e) {
          PoolException pe = assertInstanceOf(PoolException.class, e.getCause());
          assertEquals(429, pe.httpStatus(), pe.getMessage());
          assertTrue(pe.getMessage().contains("queue"), pe.getMessage());
          rejected++;
        }
      }
      assertTrue(ok >= 3, "served " + ok);
      assertTrue(rejected >= 40, "rejected " + rejected);
      assertEquals(rejected, registry.get("veil.pool.requests.rejected").counter().count());
    } finally {
      TestModels.await(router.close());
    }
  }

  @Test
  void requestOlderThanItsTimeoutFailsWith504() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Router router =
        router(
            TestModels.digits("cpu")
                .put("maxBatchSize", 8)
                .put("maxQueueDelayMs", 10_000)
                .put("timeoutMs", 50),
            registry);
    try {
      Throwable t = TestModels.failure(router.infer("digits", new float[TestModels.DIGIT_SIZE]));
      assertEquals(504, assertInstanceOf(PoolException.class, t).httpStatus());
    } finally {
      TestModels.await(router.close());
    }
  }

  @Test
  void wrongSampleSizeIsABadRequest() throws Exception {
    Router router =
        router(TestModels.digits("cpu").put("maxQueueDelayMs", 0), new SimpleMeterRegistry());
    try {
      Throwable t = TestModels.failure(router.infer("digits", new float[5]));
      PoolException pe = assertInstanceOf(PoolException.class, t);
      assertEquals(400, pe.httpStatus());
      assertTrue(pe.getMessage().contains("784"), pe.getMessage());
      assertEquals(
          400,
          ((PoolException) TestModels.failure(router.infer("nope", new float[1]))).httpStatus());
    } finally {
      TestModels.await(router.close());
    }
  }
}
