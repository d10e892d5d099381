package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/target/veil started the way the README says: {@code deploy/target/veil/bin/veil start}.
 */
class DistributionIT {
  static final Path DIST = Path.of(System.getProperty("veil.dist", "target/veil"));
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void layout() throws Exception {
    assertTrue(Files.isExecutable(DIST.resolve("bin/veil")), "bin/veil must be executable");
    assertTrue(Files.isRegularFile(DIST.resolve("lib/veil.jar")));
    try (JarFile jar = new JarFile(DIST.resolve("lib/veil.jar").toFile())) {
      // JDK 22+ would otherwise warn about "restricted methods" (JNI loads) on every start
      assertEquals(
          "ALL-UNNAMED", jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"));
    }
    assertEquals(
        "2.0", JSON.readTree(DIST.resolve("config/host.json").toFile()).path("version").asText());
    assertEquals(
        "java",
        JSON.readTree(DIST.resolve("config/local.settings.json").toFile())
            .path("Values")
            .path("FUNCTIONS_WORKER_RUNTIME")
            .asText());
  }

  @Test
  void launcherStartsTheHostWithTheBundledFunctions(@TempDir Path work) throws Exception {
    String masterKey = "dist-" + System.nanoTime();
    // from another working directory: the launcher finds its own config/ and lib/
    try (HostProcess host =
        HostProcess.startDistribution(
            DIST,
            work,
            Map.of(
                "VEIL_MASTER_KEY", masterKey, "JAVA", HostProcess.java(), "JAVA_OPTS", "-Xmx1g"))) {
      HttpResponse<String> ready =
          host.send(HttpRequest.newBuilder(host.uri("/health/ready")).GET());
      assertEquals(200, ready.statusCode(), ready.body());
      HttpResponse<String> functions =
          host.send(
              HttpRequest.newBuilder(host.uri("/admin/functions"))
                  .header("x-functions-key", masterKey)
                  .GET());
      assertEquals(200, functions.statusCode(), functions.body());
      assertEquals(
          AzurePackageIT.bundledFunctions().size(),
          JSON.readTree(functions.body()).size(),
          functions.body());
      assertTrue(Files.exists(work.resolve("state/keys.json")), "--data is honoured");
      // 143 = ended by SIGTERM after its shutdown hook drained; 137 would mean it had to be killed
      assertEquals(143, host.stop(), "SIGTERM stops the host:\n" + host.log());
    }
  }
}
