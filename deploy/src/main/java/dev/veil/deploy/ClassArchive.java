package dev.veil.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.encrypted.EncryptedClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Makes the distribution's class-data archive for one JVM from a short training run: starts the
 * host through {@code bin/veil} (so the class path is exactly the launcher's), calls a few bundled
 * functions (he-params, a key upload, one encrypted MNIST request, a plaintext breast-cancer
 * score), stops it with SIGTERM, and leaves the archive in {@code lib/archive/}, named by the JVM's
 * {@code JAVA_RUNTIME_VERSION} so that {@code bin/veil} picks it only for that JVM.
 *
 * <ul>
 *   <li>JDK 17 to 23: a dynamic AppCDS archive ({@code -XX:ArchiveClassesAtExit}), {@code .jsa}.
 *   <li>JDK 24 and later: the ahead-of-time cache (JEP 483), recorded with {@code
 *       -XX:AOTMode=record} and created with {@code -XX:AOTMode=create}, {@code .aot}.
 * </ul>
 *
 * <p>An archive is an optimisation: when training fails this prints why and makes none, and the
 * host starts as before. {@code java -cp lib/veil.jar dev.veil.deploy.ClassArchive <distribution>
 * [java home ...]} (default: the JVM running this).
 */
public final class ClassArchive {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClassArchive() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1)
      throw new IllegalArgumentException(
          "usage: ClassArchive <distribution folder> [java home ...]");
    Path dist = Path.of(args[0]).toAbsolutePath().normalize();
    List<Path> homes = new ArrayList<>();
    // one argument may list several homes (the build passes -Dveil.archive.jdks as one argument)
    for (int i = 1; i < args.length; i++)
      for (String home : args[i].split("[,\\s]+")) if (!home.isBlank()) homes.add(Path.of(home));
    if (homes.isEmpty()) homes.add(Path.of(System.getProperty("java.home")));
    for (Path home : homes) {
      try {
        Path archive = make(dist, home);
        System.out.println("class-data archive for " + home + ": " + archive);
      } catch (Exception e) {
        System.out.println(
            "WARNING: no class-data archive for " + home + " (the host starts without): " + e);
      }
    }
  }

  /** The archive file {@code bin/veil} looks for when it runs on {@code javaHome}. */
  public static Path archiveFor(Path dist, Path javaHome) throws IOException {
    return dist.resolve("lib/archive")
        .resolve(runtimeVersion(javaHome) + (featureVersion(javaHome) >= 24 ? ".aot" : ".jsa"));
  }

  /** JAVA_RUNTIME_VERSION from the JVM's release file, as {@code bin/veil} reads it. */
  static String runtimeVersion(Path javaHome) throws IOException {
    return release(javaHome, "JAVA_RUNTIME_VERSION");
  }

  static int featureVersion(Path javaHome) throws IOException {
    return Integer.parseInt(release(javaHome, "JAVA_VERSION").split("[.+-]")[0]);
  }

  private static String release(Path javaHome, String key) throws IOException {
    for (String line : Files.readAllLines(javaHome.resolve("release"))) {
      if (line.startsWith(key + "=")) {
        String value = line.substring(key.length() + 1).replace("\"", "");
        if (value.matches("[A-Za-z0-9.+_-]+")) return value;
      }
    }
    throw new IOException("no " + key + " in " + javaHome.resolve("release"));
  }

  static Path make(Path dist, Path javaHome) throws Exception {
    Path archive = archiveFor(dist, javaHome);
    Files.createDirectories(archive.getParent());
    Files.deleteIfExists(archive);
    Path work = Files.createTempDirectory("veil-archive-");
    try {
      Path partial = work.resolve(archive.getFileName());
      if (featureVersion(javaHome) >= 24) {
        Path config = work.resolve("veil.aotconf");
        train(dist, javaHome, work, "-XX:AOTMode=record -XX:AOTConfiguration=" + config);
        // create mode builds the cache from the recorded configuration without running the app
        run(
            dist,
            javaHome,
            work,
            "-XX:AOTMode=create -XX:AOTConfiguration=" + config + " -XX:AOTCache=" + partial,
            List.of("--help"));
      } else {
        train(dist, javaHome, work, "-XX:ArchiveClassesAtExit=" + partial);
      }
      if (!Files.isRegularFile(partial))
        throw new IOException("the JVM wrote no archive (see its output above)");
      Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING);
      return archive;
    } finally {
      AzurePackage.deleteRecursively(work);
    }
  }

  /** What bin/veil gets to record with these JVM flags, without any archive already there. */
  private static Map<String, String> launcherEnv(Path javaHome, String flags) {
    Map<String, String> env = new HashMap<>();
    env.put("JAVA", javaHome.resolve("bin/java").toString());
    // the caller's flags (the container's heap setting) stay, so the archive fits how it runs
    env.put("JAVA_OPTS", (System.getenv().getOrDefault("JAVA_OPTS", "") + " " + flags).trim());
    env.put("VEIL_CLASS_ARCHIVE", "off");
    return env;
  }

  private static void run(Path dist, Path javaHome, Path work, String flags, List<String> args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(dist.resolve("bin/veil").toString()));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
    builder.environment().putAll(launcherEnv(javaHome, flags));
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) process.destroyForcibly();
    if (process.waitFor() != 0)
      throw new IOException("bin/veil " + args + " " + flags + " failed:\n" + out);
  }

  /** Starts the host, makes the training calls, and stops it with SIGTERM so the JVM dumps. */
  private static void train(Path dist, Path javaHome, Path work, String flags) throws Exception {
    String masterKey = UUID.randomUUID().toString();
    Map<String, String> env = launcherEnv(javaHome, flags);
    env.put("VEIL_MASTER_KEY", masterKey);
    env.put("VEIL_KEYS_DIR", work.resolve("keys").toString());
    try (HostProcess host = HostProcess.startDistribution(dist, work, env)) {
      try {
        calls(host.uri(""), masterKey);
      } catch (Exception e) {
        throw new IOException("training run failed: " + e + "\nhost output:\n" + host.log(), e);
      }
      // SIGTERM: the shutdown hook drains, then the JVM writes the archive
      int exit = host.stop();
      if (exit != 143 && exit != 0)
        throw new IOException("the host exited with " + exit + ":\n" + host.log());
    }
  }

  /** What a first caller typically does: readiness, he-params, key upload, encrypted and plain. */
  private static void calls(URI base, String key) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    expect(http, base, "/health/ready", null, key, 200);
    JsonNode heParams =
        JSON.readTree(expect(http, base, "/api/encrypted-mnist/he-params", null, key, 200));
    expect(http, base, "/api/encrypted-breast-cancer/he-params", null, key, 200);
    try (EncryptedClient client = new EncryptedClient(heParams, null)) {
      expect(
          http,
          base,
          "/api/encrypted-mnist/keys/training",
          HttpRequest.BodyPublishers.ofByteArray(client.keyBundle().encode()),
          key,
          201);
      double[] digit = new double[heParams.get("input").get("features").asInt()];
      for (int i = 0; i < digit.length; i++) digit[i] = (i * 37 % 255) / 255.0;
      expect(
          http,
          base,
          "/api/encrypted-mnist?key_id=training&container=veil-keys",
          HttpRequest.BodyPublishers.ofByteArray(client.encrypt(List.of(digit))),
          key,
          200);
    }
    double[] row = new double[30];
    for (int i = 0; i < row.length; i++) row[i] = 1 + i % 7;
    expect(
        http,
        base,
        "/api/breast-cancer",
        HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("data", List.of(row)))),
        key,
        200);
  }

  private static String expect(
      HttpClient http,
      URI base,
      String path,
      HttpRequest.BodyPublisher body,
      String key,
      int status)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("x-functions-key", key);
    if (body != null) {
      boolean json = path.equals("/api/breast-cancer");
      request.header("content-type", json ? "application/json" : "application/octet-stream");
      request = path.contains("/keys/") ? request.PUT(body) : request.POST(body);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != status)
      throw new IOException(
          path
              + ": HTTP "
              + response.statusCode()
              + " (expected "
              + status
              + "): "
              + Optional.ofNullable(response.body()).orElse(""));
    return response.body();
  }
}
