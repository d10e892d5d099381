package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure package served by Veil: a host process whose class path holds the host (runtime,
 * triggers, their libraries) but not the functions, their model code or the CKKS engine; {@code
 * --functions} gives it the package's jar and every jar of its lib/, which the host opens in a
 * fresh class loader. It also reads the package's host.json.
 */
class RoundTripIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MASTER_KEY = UUID.randomUUID().toString();
  private static final String FUNCTION_CLASS =
      "dev/veil/functions/breastcancer/BreastCancerFunction.class";
  private static final String HE_LIBRARY = "native/linux-x86_64/libveilhe.so";
  @TempDir static Path data;
  static HostProcess host;

  @BeforeAll
  static void start() throws Exception {
    Path app = AzurePackageIT.APP;
    List<Path> classPath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(Path::of)
            .filter(p -> !isFunctionsSide(p))
            .toList();
    for (Path entry : classPath) {
      assertFalse(
          holds(entry, FUNCTION_CLASS) || holds(entry, HE_LIBRARY),
          "the host class path must not hold " + entry);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                HostProcess.java(),
                "-Xmx1g",
                "-cp",
                classPath.stream()
                    .map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator)),
                "dev.veil.runtime.Main",
                "start",
                "--port",
                "0",
                "--config",
                app.toString(),
                "--data",
                data.toString(),
                "--scan",
                "dev.veil.functions",
                "--functions",
                AzurePackageIT.functionsJar().toString()));
    for (Path library : AzurePackageIT.libraries())
      command.addAll(List.of("--functions", library.toString()));
    // the bundled queueScoring names %KAFKA_BROKERS%; declared empty, it runs on the in-process
    // queue
    host =
        HostProcess.start(
            command, data, Map.of("VEIL_MASTER_KEY", MASTER_KEY, "KAFKA_BROKERS", ""));
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) host.close();
  }

  // The functions' own modules (and the ONNX Runtime only they use, and the protocol module serving
  // their models),
  // as reactor jars or class folders.
  private static boolean isFunctionsSide(Path entry) {
    String path = entry.toString().replace(File.separatorChar, '/');
    String name = entry.getFileName().toString();
    return Stream.of("functions", "he-native", "smpc", "fpga", "inference-protocol")
            .anyMatch(m -> path.contains("/" + m + "/target/"))
        || Stream.of(
                "veil-functions-",
                "veil-he-",
                "veil-smpc-",
                "veil-fpga-",
                "veil-inference-protocol-",
                "onnxruntime-")
            .anyMatch(name::startsWith);
  }

  private static boolean holds(Path entry, String resource) throws Exception {
    if (Files.isDirectory(entry)) return Files.exists(entry.resolve(resource));
    if (!Files.isRegularFile(entry)) return false;
    try (JarFile jar = new JarFile(entry.toFile())) {
      return jar.getEntry(resource) != null;
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return host.send(
        HttpRequest.newBuilder(host.uri(path))
            .header("x-functions-key", MASTER_KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void servesEveryPackagedFunction() throws Exception {
    HttpResponse<String> response =
        host.send(
            HttpRequest.newBuilder(host.uri("/admin/functions"))
                .header("x-functions-key", MASTER_KEY)
                .GET());
    assertEquals(200, response.statusCode(), response.body());
    Set<String> listed = new TreeSet<>();
    JSON.readTree(response.body()).forEach(f -> listed.add(f.path("name").asText()));
    assertEquals(AzurePackageIT.bundledFunctions().keySet(), listed, host.log());
  }

  @Test
  void scoresWithThePackagedModel() throws Exception {
    String rows =
        JSON.writeValueAsString(
            Map.of(
                "data",
                List.of(
                    IntStream.range(0, 30).mapToObj(i -> 0.1 * (i + 1)).toList(),
                    IntStream.range(0, 30).mapToObj(i -> 20.0 + i).toList())));
    HttpResponse<String> response = post("/api/breast-cancer", rows);
    assertEquals(200, response.statusCode(), response.body() + "\n" + host.log());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(2, body.path("predictions").size(), response.body());
    for (JsonNode probabilities : body.path("probabilities")) {
      assertEquals(
          1.0,
          probabilities.get(0).asDouble() + probabilities.get(1).asDouble(),
          1e-9,
          response.body());
    }
    body.path("predictions")
        .forEach(p -> assertTrue(p.asInt() == 0 || p.asInt() == 1, response.body()));
  }

  @Test
  void badInputIsA400NamingTheProblem() throws Exception {
    HttpResponse<String> response = post("/api/breast-cancer", "{\"data\": [[1, 2, 3]]}");
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(
        JSON.readTree(response.body()).path("error").asText().contains("data[0] has 3 values"),
        response.body());
  }

  @Test
  void functionKeysApply() throws Exception {
    HttpResponse<String> response =
        host.send(
            HttpRequest.newBuilder(host.uri("/api/breast-cancer"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(401, response.statusCode(), response.body());
  }
}
