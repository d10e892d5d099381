package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.deploy.noop.NoopFunction;
import dev.veil.runtime.host.FunctionIndex;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cold start of the packaged host does not do: load the classes of subsystems an app does
 * not use, or scan the packaged jars for functions. (How long a cold start takes is measured by the
 * benchmarks, not here.)
 */
class ColdStartIT {
  private static final Path VEIL_JAR = Path.of("target/veil.jar");

  /** Packages of subsystems an HTTP-only app never touches. */
  private static final List<String> UNUSED =
      List.of(
          "com.hazelcast.",
          "io.vertx.spi.cluster.",
          "ai.onnxruntime.",
          "com.azure.",
          "org.apache.kafka.",
          "io.vertx.kafka.");

  @Test
  void anHttpOnlyAppLoadsNoClassOfAnUnusedSubsystem(@TempDir Path work) throws Exception {
    Path app = work.resolve("app");
    Path noop = Path.of(NoopFunction.class.getName().replace('.', '/') + ".class");
    Files.createDirectories(app.resolve(noop).getParent());
    Files.copy(
        Path.of(NoopFunction.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve(noop),
        app.resolve(noop));
    Path classLog = work.resolve("class-load.log");
    try (HostProcess host =
        HostProcess.start(
            List.of(
                HostProcess.java(),
                "-Xmx512m",
                "-Xlog:class+load=info:file=" + classLog,
                "-cp",
                VEIL_JAR.toAbsolutePath().toString(),
                "dev.veil.runtime.Main",
                "start",
                "--port",
                "0",
                "--config",
                work.toString(),
                "--data",
                work.resolve("state").toString(),
                "--functions",
                app.toString()),
            work,
            Map.of())) {
      HttpResponse<String> noopAnswer =
          host.send(HttpRequest.newBuilder(host.uri("/api/noop")).GET());
      assertEquals(200, noopAnswer.statusCode(), noopAnswer.body());
      assertEquals("ok", noopAnswer.body());
      assertEquals(
          200,
          host.send(HttpRequest.newBuilder(host.uri("/health/ready")).GET()).statusCode(),
          host.log());
      assertEquals(143, host.stop(), host.log());
    }
    List<String> loaded =
        Files.readAllLines(classLog).stream()
            .map(line -> line.replaceFirst("^(\\[[^]]*\\])+\\s*", ""))
            .map(line -> line.split(" ", 2)[0])
            .toList();
    assertTrue(loaded.contains("dev.veil.runtime.Main"), "the class-load log is complete");
    assertTrue(loaded.contains(NoopFunction.class.getName()), "the app's class was loaded");
    List<String> unused =
        loaded.stream().filter(c -> UNUSED.stream().anyMatch(c::startsWith)).toList();
    assertEquals(List.of(), unused, "classes of subsystems the app does not use");
  }

  @Test
  void thePackagedJarsCarryAFunctionIndex(@TempDir Path work) throws Exception {
    List<String> distribution = FunctionIndex.read(VEIL_JAR);
    assertNotNull(distribution, "veil.jar has " + FunctionIndex.PATH);
    Path appJar =
        AzurePackage.jarsIn(
                Path.of(
                    System.getProperty("veil.azure.app", "target/azure-functions/veil-functions")))
            .get(0);
    List<String> app = FunctionIndex.read(appJar);
    assertNotNull(app, appJar + " has " + FunctionIndex.PATH);
    // The index lists what a scan of the jar finds (writing one scans); the distribution bundles
    // the same functions and indexes them too.
    Path copy = Files.copy(appJar, work.resolve("copy.jar"));
    assertEquals(Set.copyOf(FunctionIndex.write(copy)), Set.copyOf(app));
    assertTrue(app.size() > 5, app.toString());
    assertTrue(distribution.containsAll(app), distribution.toString());
  }
}
