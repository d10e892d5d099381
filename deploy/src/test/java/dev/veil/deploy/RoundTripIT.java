package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Azure package served by Veil: a host process whose class path has the host's own jars (runtime,
 * triggers, Azure Functions library) and the package's lib/, never the functions from the build; it finds
 * the functions in the package's jar ({@code --functions}) and reads the package's host.json.
 */
class RoundTripIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MASTER_KEY = UUID.randomUUID().toString();
  private static final String FUNCTION_CLASS = "dev/veil/functions/breastcancer/BreastCancerFunction.class";
  @TempDir static Path data;
  static HostProcess host;

  @BeforeAll
  static void start() throws Exception {
    Path app = AzurePackageIT.APP;
    List<Path> libraries = AzurePackageIT.libraries();
    Set<String> packaged = libraries.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    // The host keeps what the package does not carry; anything the package carries comes from the package.
    List<Path> classPath = new ArrayList<>(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(Path::of)
        .filter(p -> !packaged.contains(p.getFileName().toString()))
        .filter(p -> !p.toString().contains(File.separator + "functions" + File.separator + "target")
            && !p.getFileName().toString().startsWith("veil-functions"))
        .toList());
    for (Path entry : classPath) {
      assertTrue(!holds(entry, FUNCTION_CLASS), "the host class path must not hold the functions: " + entry);
    }
    classPath.addAll(libraries);
    List<String> command = List.of(HostProcess.java(), "-Xmx1g", "-cp",
        classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "dev.veil.runtime.Main", "start", "--port", "0", "--config", app.toString(), "--data", data.toString(),
        "--scan", "dev.veil.functions", "--functions", AzurePackageIT.functionsJar().toString());
    host = HostProcess.start(command, data, Map.of("VEIL_MASTER_KEY", MASTER_KEY));
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) host.close();
  }

  private static boolean holds(Path entry, String resource) throws Exception {
    if (Files.isDirectory(entry)) return Files.exists(entry.resolve(resource));
    if (!Files.isRegularFile(entry)) return false;
    try (JarFile jar = new JarFile(entry.toFile())) {
      return jar.getEntry(resource) != null;
    }
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return host.send(HttpRequest.newBuilder(host.uri(path)).header("x-functions-key", MASTER_KEY)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void servesEveryPackagedFunction() throws Exception {
    HttpResponse<String> response = host.send(HttpRequest.newBuilder(host.uri("/admin/functions"))
        .header("x-functions-key", MASTER_KEY).GET());
    assertEquals(200, response.statusCode(), response.body());
    Set<String> listed = new java.util.TreeSet<>();
    JSON.readTree(response.body()).forEach(f -> listed.add(f.path("name").asText()));
    assertEquals(AzurePackageIT.bundledFunctions().keySet(), listed, host.log());
  }

  @Test
  void scoresWithThePackagedModel() throws Exception {
    String rows = JSON.writeValueAsString(Map.of("data", List.of(
        IntStream.range(0, 30).mapToObj(i -> 0.1 * (i + 1)).toList(),
        IntStream.range(0, 30).mapToObj(i -> 20.0 + i).toList())));
    HttpResponse<String> response = post("/api/breast-cancer", rows);
    assertEquals(200, response.statusCode(), response.body() + "\n" + host.log());
    JsonNode body = JSON.readTree(response.body());
    assertEquals(2, body.path("predictions").size(), response.body());
    for (JsonNode probabilities : body.path("probabilities")) {
      assertEquals(1.0, probabilities.get(0).asDouble() + probabilities.get(1).asDouble(), 1e-9, response.body());
    }
    body.path("predictions").forEach(p -> assertTrue(p.asInt() == 0 || p.asInt() == 1, response.body()));
  }

  @Test
  void badInputIsA400NamingTheProblem() throws Exception {
    HttpResponse<String> response = post("/api/breast-cancer", "{\"data\": [[1, 2, 3]]}");
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(JSON.readTree(response.body()).path("error").asText().contains("data[0] has 3 values"), response.body());
  }

  @Test
  void functionKeysApply() throws Exception {
    HttpResponse<String> response = host.send(HttpRequest.newBuilder(host.uri("/api/breast-cancer"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(401, response.statusCode(), response.body());
  }
}
