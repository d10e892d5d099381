package dev.veil.cluster;

import dev.veil.testkit.ClusterAdmin;
import dev.veil.testkit.FreePorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Veil host processes (separate JVMs running {@code veil start --cluster}) on loopback, each with
 * its own config folder, serving the functions in {@code dev.veil.cluster.testfn}.
 */
final class ClusterHosts implements AutoCloseable {
  static final String SECRET = "cluster-test-secret-0123456789";
  static final String MASTER_KEY = "cluster-test-master-key";
  private static final Duration STARTUP = Duration.ofSeconds(120);
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final Path storeLog;
  private final Path blobLog;

  /** While this file is missing, {@code hold} invocations stay in flight. */
  final Path holdRelease;

  final Path blobStore;
  private final JsonObject clusterJson;
  private final String scanPackage;
  private final List<Integer> clusterPorts = new ArrayList<>();
  final List<Host> hosts = new ArrayList<>();

  record Host(Process process, int httpPort, Path log) {
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    String pid() {
      return Long.toString(process.pid());
    }
  }

  /**
   * @param clusterJson host.json {@code veil.cluster} for every host (the port is added per host)
   */
  ClusterHosts(Path dir, JsonObject clusterJson) throws IOException {
    this(dir, clusterJson, "dev.veil.cluster.testfn");
  }

  /**
   * @param scanPackage where the hosts discover their functions
   */
  ClusterHosts(Path dir, JsonObject clusterJson, String scanPackage) throws IOException {
    this.dir = dir;
    this.clusterJson = clusterJson;
    this.scanPackage = scanPackage;
    this.storeLog = dir.resolve("store.log");
    Files.createFile(storeLog);
    this.blobLog = dir.resolve("blobs.log");
    Files.createFile(blobLog);
    this.blobStore = Files.createDirectories(dir.resolve("blob-store"));
    this.holdRelease = dir.resolve("hold-release");
  }

  /** Starts {@code count} hosts with the right secret and waits until each sees all of them. */
  ClusterHosts start(int count) throws Exception {
    // A failed start stops the hosts it started: the caller's try-with-resources never got this
    // object to close (a host left running fired timers for an hour after one such failure).
    try {
      for (int i = 0; i < count; i++) clusterPorts.add(FreePorts.next());
      for (int i = 0; i < count; i++) hosts.add(startHost("node" + i, clusterPorts.get(i), SECRET));
      for (Host h : hosts) {
        // fails at once when any host has exited (a member that died at start never joins)
        ClusterAdmin.awaitMembers(
            HTTP,
            h.uri(""),
            MASTER_KEY,
            count,
            STARTUP,
            () -> hosts.stream().allMatch(x -> x.process().isAlive()),
            this::logs);
      }
      return this;
    } catch (Exception | AssertionError e) {
      close();
      throw e;
    }
  }

  /** Every host's log tail without its invocation lines (a failed start is about membership). */
  private String logs() {
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < hosts.size(); i++) {
      Host h = hosts.get(i);
      all.append("--- node").append(i).append(" (pid ").append(h.pid());
      all.append(h.process().isAlive() ? ", running" : ", exited " + h.process().exitValue());
      all.append(") ---\n").append(tail(h.log(), "dev.veil.invocations")).append('\n');
    }
    return all.toString();
  }

  /** Blobs processed so far ("name pid" per call). */
  List<String> processedBlobs() throws IOException {
    return Files.readAllLines(blobLog);
  }

  /** Drops a blob into the shared local store's {@code drops} container. */
  void dropBlob(String name) throws IOException {
    Path tmp = Files.createDirectories(dir.resolve("tmp")).resolve(name);
    Files.writeString(tmp, "blob " + name);
    Files.move(
        tmp,
        Files.createDirectories(blobStore.resolve("drops")).resolve(name),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Key downloads so far (one line per download at the "store"). */
  List<String> downloads() throws IOException {
    return Files.readAllLines(storeLog);
  }

  /**
   * Worker threads per host: a key's owner keeps its key until this many of its invocations are in
   * flight.
   */
  static final int WORKERS = 4;

  Host startHost(String name, int clusterPort, String secret) throws IOException {
    Path config = Files.createDirectories(dir.resolve(name));
    Files.writeString(
        config.resolve("host.json"),
        new JsonObject()
            .put("version", "2.0")
            .put(
                "extensions",
                new JsonObject()
                    .put(
                        "blobs",
                        new JsonObject()
                            .put("maxPollingInterval", "00:00:01")
                            .put("leaseDuration", "00:00:05")))
            .put(
                "veil",
                new JsonObject()
                    .put("workerPoolSize", WORKERS)
                    .put("cluster", clusterJson.copy().put("port", clusterPort)))
            .encode());
    int httpPort = FreePorts.next();
    Path log = config.resolve("host.log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            javaBin,
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-Dhazelcast.wait.seconds.before.join=1",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.veil.runtime.Main",
            "start",
            "--cluster",
            "--port",
            Integer.toString(httpPort),
            "--config",
            config.toString(),
            "--scan",
            scanPackage);
    pb.environment().put("VEIL_CLUSTER_SECRET", secret);
    pb.environment()
        .put(
            "VEIL_CLUSTER_MEMBERS",
            clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    pb.environment().put("VEIL_MASTER_KEY", MASTER_KEY);
    pb.environment().put("VEIL_TEST_STORE_LOG", storeLog.toString());
    pb.environment().put("VEIL_TEST_BLOB_LOG", blobLog.toString());
    pb.environment().put("VEIL_TEST_RELEASE", holdRelease.toString());
    pb.environment().put("AzureWebJobsStorage", "file:" + blobStore);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Host(pb.start(), httpPort, log);
  }

  /** Waits (bounded) until the host's /admin/cluster lists this many members. */
  static void awaitMembers(Host host, int count) {
    ClusterAdmin.awaitMembers(
        HTTP,
        host.uri(""),
        MASTER_KEY,
        count,
        STARTUP,
        host.process()::isAlive,
        () -> tail(host.log()));
  }

  static JsonObject cluster(Host host) throws IOException, InterruptedException {
    return new JsonObject(ClusterAdmin.cluster(HTTP, host.uri(""), MASTER_KEY));
  }

  static JsonArray members(Host host) throws IOException, InterruptedException {
    return cluster(host).getJsonArray("members");
  }

  static HttpResponse<String> get(URI uri, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(90));
    if (headers.length > 0) request.headers(headers);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postKeyed(URI uri, String key)
      throws IOException, InterruptedException {
    String body = new JsonObject().put("data", "x".repeat(64)).put("key_id", key).encode();
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String tail(Path log) {
    return tail(log, null);
  }

  /** The last 60 lines of a host's log, leaving out lines that contain {@code skip}. */
  private static String tail(Path log, String skip) {
    try {
      List<String> lines =
          Files.readAllLines(log, StandardCharsets.UTF_8).stream()
              .filter(l -> skip == null || !l.contains(skip))
              .toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Host h : hosts) h.process().destroy(); // SIGTERM: graceful shutdown
    for (Host h : hosts) {
      if (!h.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS))
        h.process().destroyForcibly();
    }
  }
}
