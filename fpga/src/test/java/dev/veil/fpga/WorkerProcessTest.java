package dev.veil.fpga;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.cluster.ClusterSettings;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.TestPki;
import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkerMain} as its own JVM: it joins the cluster of the pool in this JVM (Hazelcast and
 * the event bus on 127.0.0.1, the cluster secret as a host would have it), advertises its device
 * and capacity, and serves ResNet-50 batches. The event bus between them runs over mutual TLS
 * (veil.cluster.tls, certificates from a CA made here; the worker names its files relative to its
 * configuration). SIGKILLed while it runs a batch, the batch's requests complete on another worker
 * (retried once) and the pool drops the dead worker.
 */
class WorkerProcessTest {
  private static final int IMAGE = 3 * 224 * 224;

  @Test
  void aWorkerProcessServesThePoolAndItsBatchMovesOnWhenItIsKilled(@TempDir Path dir)
      throws Exception {
    String secret = UUID.randomUUID().toString();
    String name = "veil-fpga-test-" + UUID.randomUUID();
    int poolPort = FreePorts.next();
    int workerPort = FreePorts.next();
    JsonObject resnet =
        new JsonObject()
            .put("class", "heavy-image")
            .put("accelerator", "cpu")
            .put("path", SeededResNet50.files(System::getenv).featurizer().toString())
            .put("maxBatchSize", 4)
            .put("maxQueueDelayMs", 500)
            .put("timeoutMs", 120_000);
    TestPki.Issued ca = TestPki.authority("Worker test CA");
    ca.writeChain(dir.resolve("cluster-ca.pem"));
    for (String member : List.of("pool", "worker")) {
      TestPki.Issued cert = TestPki.issue(ca, member, TestPki.KeyType.EC);
      cert.writeChain(dir.resolve(member + ".pem"));
      cert.writePkcs8Key(dir.resolve(member + "-key.pem"));
    }
    Path workerConfig = dir.resolve("worker.json");
    Files.writeString(
        workerConfig,
        new JsonObject()
            .put(
                "cluster",
                cluster(name, workerPort, poolPort)
                    .put("tls", tls("worker.pem", "worker-key.pem", "cluster-ca.pem")))
            .put("models", new JsonObject().put("resnet50", resnet))
            .put(
                "workers",
                new JsonArray()
                    .add(
                        new JsonObject().put("device", "cpu").put("capacity", 1).put("threads", 1)))
            .put("heartbeatMs", 200)
            .encodePrettily());

    ClusterSettings settings =
        ClusterSettings.from(
            new HostConfig(
                new JsonObject()
                    .put(
                        "veil",
                        new JsonObject()
                            .put(
                                "cluster",
                                cluster(name, poolPort, poolPort)
                                    .put(
                                        "tls",
                                        tls(
                                            dir.resolve("pool.pem").toString(),
                                            dir.resolve("pool-key.pem").toString(),
                                            dir.resolve("cluster-ca.pem").toString()))))),
            new AppSettings(Map.of(ClusterSettings.SECRET_SETTING, secret)),
            true,
            "127.0.0.1");
    Vertx poolNode = TestModels.await(settings.start()).vertx();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Router router =
        TestModels.await(
            Router.start(
                poolNode,
                new JsonObject()
                    .put("models", new JsonObject().put("resnet50", resnet))
                    .put("workers", new JsonArray())
                    .put("remoteWorkers", true)
                    .put("healthCheckMs", 200),
                registry));
    Path log = Path.of("target", "worker-process-test.log"); // kept for a look after a failure
    Files.deleteIfExists(log); // the child appends; lines of an earlier run must not count
    ChildProcess worker =
        ChildProcess.java(
            "fpga-worker",
            WorkerMain.class.getName(),
            List.of("-Xmx512m"),
            Map.of(ClusterSettings.SECRET_SETTING, secret),
            List.of(workerConfig.toString(), "remote-cpu-1"),
            log);
    ModelSpec spec = ModelSpec.fromJson("resnet50", resnet);
    ExecutionBackend cpu =
        ExecutionBackend.resolve(DeviceKind.CPU, false, ExecutionBackend.Options.DEFAULT);
    OnnxModel direct = OnnxModel.load(spec, cpu);
    try {
      worker.awaitLog(l -> l.contains("remote worker remote-cpu-1 ready"), Duration.ofMinutes(3));
      Waits.until(
          () -> ids(router).contains("remote-cpu-1"),
          Duration.ofMinutes(1),
          "the pool to take in the worker process");
      JsonObject ad = TestModels.await(router.pool().describeWorkers()).get(0);
      assertTrue(ad.getBoolean("remote"));
      assertEquals("cpu", ad.getString("device"));
      assertEquals(1, ad.getInteger("capacity"));
      assertEquals(IMAGE, ad.getJsonObject("models").getInteger("resnet50"));

      Random random = new Random(17);
      float[] first = TestModels.randomSample(random, IMAGE);
      assertArrayEquals(
          direct.run(List.of(first)).get(0),
          TestModels.await(router.infer("resnet50", first)),
          1e-3f);

      // A second worker, in this JVM. Both idle: the pool picks the first it took in, the process.
      LocalWorker local = LocalWorker.create(poolNode, "local-cpu", cpu, 1, List.of(spec));
      router.pool().addWorker(local);
      Waits.until(
          () -> ids(router).size() == 2, Duration.ofSeconds(30), "the local worker to join");
      List<float[]> inputs = new ArrayList<>();
      for (int i = 0; i < 4; i++) inputs.add(TestModels.randomSample(random, IMAGE));
      List<Future<float[]>> results = new ArrayList<>();
      for (float[] in : inputs)
        results.add(router.infer("resnet50", in)); // together: one batch of 4
      worker.awaitLog(
          l -> l.contains("remote-cpu-1: running a batch of 4 for resnet50"),
          Duration.ofMinutes(1));
      worker.kill();
      assertFalse(worker.isAlive());

      for (int i = 0; i < inputs.size(); i++) {
        assertArrayEquals(
            direct.run(List.of(inputs.get(i))).get(0),
            TestModels.await(results.get(i)),
            1e-3f,
            "request " + i);
      }
      assertEquals(1.0, registry.get("veil.pool.batches.retried").counter().count());
      Waits.until(
          () -> ids(router).equals(List.of("local-cpu")),
          Duration.ofSeconds(30),
          "the pool to drop the killed worker");
    } finally {
      worker.kill();
      direct.close();
      TestModels.await(router.close());
      TestModels.await(poolNode.close());
    }
  }

  /**
   * host.json {@code veil.cluster} for one member on loopback that joins through {@code seedPort}.
   */
  private static JsonObject cluster(String name, int port, int seedPort) {
    return new JsonObject()
        .put("name", name)
        .put("port", port)
        .put("interface", "127.0.0.1")
        .put("members", new JsonArray().add("127.0.0.1:" + seedPort))
        .put("failureDetectionSeconds", 10);
  }

  private static JsonObject tls(String certificate, String key, String ca) {
    return new JsonObject()
        .put("certificate", certificate)
        .put("key", key)
        .put("certificateAuthorities", ca);
  }

  private static List<String> ids(Router router) {
    try {
      return TestModels.await(router.pool().describeWorkers()).stream()
          .map(w -> w.getString("id"))
          .toList();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
