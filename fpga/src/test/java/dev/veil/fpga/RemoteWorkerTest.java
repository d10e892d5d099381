package dev.veil.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two clustered Vert.x nodes (Hazelcast, TCP on loopback) in this JVM: the pool node has no local
 * worker; the worker node serves the digits CNN and advertises itself. The pool uses it like a
 * local one, and drains it once it is gone.
 */
class RemoteWorkerTest {
  private static Future<Vertx> clusteredNode(String clusterName) {
    Config hz = new Config().setClusterName(clusterName);
    hz.getNetworkConfig().setPort(5801).setPortAutoIncrement(true);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    VertxOptions options =
        new VertxOptions()
            .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    return Vertx.builder()
        .with(options)
        .withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered();
  }

  @Test
  void poolServesThroughARemoteWorkerAndDrainsItWhenItLeaves() throws Exception {
    String cluster = "veil-fpga-test-" + UUID.randomUUID();
    Vertx poolNode = TestModels.await(clusteredNode(cluster));
    Vertx workerNode = TestModels.await(clusteredNode(cluster));
    try {
      ModelSpec spec = ModelSpec.fromJson("digits", TestModels.digits("cpu"));
      ExecutionBackend cpu =
          ExecutionBackend.resolve(DeviceKind.CPU, false, ExecutionBackend.Options.DEFAULT);
      LocalWorker local =
          TestModels.await(
              workerNode.executeBlocking(
                  () -> LocalWorker.create(workerNode, "remote-cpu", cpu, 2, List.of(spec))));
      WorkerHost host = TestModels.await(WorkerHost.start(workerNode, local, 200, 10_000));

      JsonObject config =
          new JsonObject()
              .put(
                  "models",
                  new JsonObject()
                      .put("digits", TestModels.digits("cpu").put("maxQueueDelayMs", 1)))
              .put("workers", new JsonArray())
              .put("remoteWorkers", true)
              .put("healthCheckMs", 100);
      Router router = TestModels.await(Router.start(poolNode, config, new SimpleMeterRegistry()));
      try {
        List<JsonObject> workers = TestModels.await(router.pool().describeWorkers());
        while (workers.isEmpty()) {
          Thread.sleep(20);
          workers = TestModels.await(router.pool().describeWorkers());
        }
        JsonObject ad = workers.get(0);
        assertEquals("remote-cpu", ad.getString("id"));
        assertTrue(ad.getBoolean("remote"));
        assertEquals("cpu", ad.getString("device"));
        assertEquals(2, ad.getInteger("capacity"));
        assertEquals(784, ad.getJsonObject("models").getInteger("digits"));

        OnnxModel direct = OnnxModel.load(spec, cpu);
        try {
          Random random = new Random(11);
          for (int i = 0; i < 4; i++) {
            float[] in = TestModels.randomSample(random, TestModels.DIGIT_SIZE);
            assertArrayEquals(
                direct.run(List.of(in)).get(0),
                TestModels.await(router.infer("digits", in)),
                1e-5f);
          }
        } finally {
          direct.close();
        }

        TestModels.await(host.stop());
        while (!TestModels.await(router.pool().describeWorkers()).isEmpty()) Thread.sleep(20);
        Throwable t = TestModels.failure(router.infer("digits", new float[TestModels.DIGIT_SIZE]));
        assertEquals(503, assertInstanceOf(PoolException.class, t).httpStatus(), t.getMessage());
      } finally {
        TestModels.await(router.close());
      }
    } finally {
      TestModels.await(workerNode.close());
      TestModels.await(poolNode.close());
    }
  }
}
