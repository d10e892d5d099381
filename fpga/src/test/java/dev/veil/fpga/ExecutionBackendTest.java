package dev.veil.fpga;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The real ONNX Runtime on this machine (the CPU build from Maven Central) has no FPGA or CUDA
 * provider: a pool configured for them must refuse to start naming the provider, or fall back to
 * CPU with a logged warning when configured to.
 */
class ExecutionBackendTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    TestModels.await(vertx.close());
  }

  @Test
  void thisRuntimeHasCpuButNoFpgaOrCudaProvider() {
    EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
    assertTrue(available.contains(OrtProvider.CPU));
    // The premise of the tests below; if an accelerator build is ever installed here they must be
    // revisited.
    assertFalse(
        available.contains(OrtProvider.OPEN_VINO)
            || available.contains(OrtProvider.VITIS_AI)
            || available.contains(OrtProvider.CUDA),
        "unexpected accelerator provider in " + available);
  }

  @Test
  void fpgaWithoutFallbackFailsNamingTheProviders() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                ExecutionBackend.resolve(DeviceKind.FPGA, false, ExecutionBackend.Options.DEFAULT));
    assertTrue(
        e.getMessage().contains("OpenVINO") && e.getMessage().contains("VitisAI"), e.getMessage());
    assertTrue(e.getMessage().contains("\"fallback\": \"cpu\""), e.getMessage());
  }

  @Test
  void gpuWithoutFallbackFailsNamingCuda() {
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                ExecutionBackend.resolve(DeviceKind.GPU, false, ExecutionBackend.Options.DEFAULT));
    assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
  }

  @Test
  void presentProviderIsChosenWhenOffered() {
    ExecutionBackend b =
        ExecutionBackend.resolve(
            DeviceKind.FPGA,
            false,
            ExecutionBackend.Options.DEFAULT,
            EnumSet.of(OrtProvider.CPU, OrtProvider.OPEN_VINO),
            candidate -> null);
    assertEquals(OrtProvider.OPEN_VINO, b.provider());
    assertEquals(DeviceKind.FPGA, b.device());
  }

  @Test
  void providerListedButNotAttachableCountsAsMissing() {
    // As with ONNX Runtime's CUDA build on a machine without CUDA's libraries: CUDA is listed,
    // attaching it fails.
    // The probe here is the real one, so attaching CUDA to this CPU build fails inside ONNX Runtime
    // itself.
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () ->
                ExecutionBackend.resolve(
                    DeviceKind.GPU,
                    false,
                    ExecutionBackend.Options.DEFAULT,
                    EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA)));
    assertTrue(
        e.getMessage().startsWith("gpu backend unavailable: could not attach CUDA"),
        e.getMessage());
    ExecutionBackend fallback =
        ExecutionBackend.resolve(
            DeviceKind.GPU,
            true,
            ExecutionBackend.Options.DEFAULT,
            EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA));
    assertEquals(DeviceKind.CPU, fallback.device());
    assertTrue(fallback.fellBack());
  }

  @Test
  void poolWithFpgaWorkerAndNoFallbackRefusesToStart() throws Exception {
    JsonObject config =
        new JsonObject()
            .put("models", new JsonObject().put("digits", TestModels.digits("fpga")))
            .put("workers", new JsonArray().add(new JsonObject().put("device", "fpga")));
    Throwable failure = TestModels.failure(Router.start(vertx, config, new SimpleMeterRegistry()));
    assertInstanceOf(BackendUnavailableException.class, failure);
    assertTrue(
        failure
            .getMessage()
            .startsWith("fpga backend needs the ONNX Runtime execution provider OpenVINO"),
        failure.getMessage());
  }

  @Test
  void poolWithFpgaFallbackRunsOnCpuAndLogsIt() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(ExecutionBackend.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      JsonObject config =
          new JsonObject()
              .put("models", new JsonObject().put("digits", TestModels.digits("fpga")))
              .put(
                  "workers",
                  new JsonArray()
                      .add(new JsonObject().put("device", "fpga").put("fallback", "cpu")));
      Router router = TestModels.await(Router.start(vertx, config, new SimpleMeterRegistry()));
      try {
        float[] out =
            TestModels.await(
                router.infer(
                    "digits", TestModels.randomSample(new Random(1), TestModels.DIGIT_SIZE)));
        assertEquals(10, out.length);
        List<JsonObject> workers = TestModels.await(router.pool().describeWorkers());
        assertEquals(1, workers.size());
        assertEquals("fpga", workers.get(0).getString("serves"));
        assertEquals("cpu", workers.get(0).getString("device"));
      } finally {
        TestModels.await(router.close());
      }
      assertTrue(
          appender.list.stream()
              .anyMatch(
                  e ->
                      e.getLevel() == Level.WARN
                          && e.getFormattedMessage().contains("OpenVINO")
                          && e.getFormattedMessage().contains("falling back to CPU")),
          "no fallback warning in " + appender.list);
    } finally {
      logger.detachAppender(appender);
    }
  }
}
