package dev.veil.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A worker stopped while its batch runs: the batch's requests are retried once on the other worker
 * and all complete with the right answers. Uses the ResNet-50 featurizer, whose batches take long
 * enough (hundreds of ms on CPU) for the test to stop a worker mid-batch.
 */
class WorkerFailureTest {
  @Test
  void requestsOfAWorkerKilledMidBatchCompleteOnAnother() throws Exception {
    Vertx vertx = Vertx.vertx();
    ModelSpec spec =
        new ModelSpec(
            "resnet50",
            SeededResNet50.files(System::getenv).featurizer().toString(),
            true,
            DeviceKind.CPU,
            2,
            0,
            16,
            120_000);
    ExecutionBackend cpu =
        ExecutionBackend.resolve(DeviceKind.CPU, false, ExecutionBackend.Options.DEFAULT);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // Two local workers, created here so the test holds the one it stops.
    AcceleratorPool pool =
        TestModels.await(
            AcceleratorPool.start(vertx, List.of(spec), List.of(), false, 60_000, registry));
    LocalWorker first =
        TestModels.await(
            vertx.executeBlocking(() -> LocalWorker.create(vertx, "first", cpu, 1, List.of(spec))));
    LocalWorker second =
        TestModels.await(
            vertx.executeBlocking(
                () -> LocalWorker.create(vertx, "second", cpu, 1, List.of(spec))));
    pool.addWorker(first);
    Random random = new Random(5);
    List<float[]> inputs = new ArrayList<>();
    List<Future<float[]>> results = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      float[] in = TestModels.randomSample(random, 3 * 224 * 224);
      inputs.add(in);
      results.add(pool.infer("resnet50", in));
    }
    while (first.running() == 0) Thread.sleep(1);
    pool.addWorker(second);
    first.stop();
    OnnxModel direct = OnnxModel.load(spec, cpu);
    try {
      for (int i = 0; i < inputs.size(); i++) {
        float[] expected = direct.run(List.of(inputs.get(i))).get(0);
        assertArrayEquals(expected, TestModels.await(results.get(i)), 1e-3f, "request " + i);
      }
      assertEquals(1.0, registry.get("veil.pool.batches.retried").counter().count());
      List<JsonObject> workers = TestModels.await(pool.describeWorkers());
      assertEquals(List.of("second"), workers.stream().map(w -> w.getString("id")).toList());
      assertTrue(first.ping().failed());
    } finally {
      direct.close();
      TestModels.await(pool.close());
      TestModels.await(vertx.close());
    }
  }
}
