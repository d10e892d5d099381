package dev.veil.functions.cluster;

import dev.veil.testkit.Azurite;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.ClusterAdmin;
import dev.veil.testkit.FreePorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The real functions (encrypted MNIST, queue scoring over Kafka, batch scoring on blobs) running as
 * one function app on several {@code veil start --cluster} processes on loopback. Key bundles, blob
 * inputs and outputs live in an Azurite of its own, whose access log is where key downloads are
 * counted: every {@code GET} of a blob in {@value #KEYS} is one bundle download (ETag checks are
 * {@code HEAD}s).
 */
final class FunctionAppHosts implements AutoCloseable {
  static final String SECRET = "function-app-cluster-secret-0123";
  static final String MASTER_KEY = "function-app-cluster-master-key";
  static final String KEYS = "veil-keys";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern KEY_DOWNLOAD =
      Pattern.compile("\"GET /" + Azurite.ACCOUNT + "/" + KEYS + "/([^ ?\"]+)[^\"]*\" 20[06] ");
  private static final List<String> ENCRYPTED_FUNCTIONS = List.of("dev.veil.functions.encrypted");
  private static final List<String> ALL_FUNCTIONS =
      List.of(
          "dev.veil.functions.encrypted", "dev.veil.functions.queue", "dev.veil.functions.batch");

  private final Path dir;
  private final JsonObject clusterJson;
  private final String kafkaBrokers;
  private final List<String> jvmOptions;
  private final ChildProcess azurite;
  private final String storage;
  private final List<Integer> clusterPorts = new ArrayList<>();
  final List<Host> hosts = new ArrayList<>();

  record Host(String name, ChildProcess process, int httpPort) {
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + httpPort + path);
    }
  }

  /**
   * Starts the app's Azurite in {@code dir}.
   *
   * @param clusterJson host.json {@code veil.cluster} for every host (the port is added per host)
   * @param kafkaBrokers the broker for the queue-scoring function; null: the hosts run only the
   *     encrypted functions
   * @param jvmOptions extra options for the host JVMs
   */
  FunctionAppHosts(Path dir, JsonObject clusterJson, String kafkaBrokers, List<String> jvmOptions) {
    this.dir = dir;
    this.jvmOptions = jvmOptions;
    this.clusterJson = clusterJson;
    this.kafkaBrokers = kafkaBrokers;
    int port = FreePorts.next();
    this.azurite = Azurite.start(dir.resolve("azurite"), port);
    this.storage =
        "DefaultEndpointsProtocol=http;AccountName="
            + Azurite.ACCOUNT
            + ";AccountKey="
            + Azurite.ACCOUNT_KEY
            + ";BlobEndpoint=http://127.0.0.1:"
            + port
            + "/"
            + Azurite.ACCOUNT
            + ";";
  }

  /** The connection string of this app's Azurite. */
  String storage() {
    return storage;
  }

  /**
   * Starts {@code count} hosts (in parallel, as an operator would) and waits until each sees all of
   * them.
   */
  FunctionAppHosts start(int count) throws IOException {
    try { // a failed start stops what it started: the caller never gets this object to close
      for (int i = 0; i < count; i++) clusterPorts.add(FreePorts.next());
      for (int i = 0; i < count; i++) hosts.add(startHost("node" + i, clusterPorts.get(i)));
      for (Host h : hosts) awaitMembers(h, count);
      return this;
    } catch (IOException | RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  private Host startHost(String name, int clusterPort) throws IOException {
    Path config = Files.createDirectories(dir.resolve(name));
    JsonObject extensions =
        new JsonObject()
            .put(
                "blobs",
                new JsonObject()
                    .put("maxPollingInterval", "00:00:01")
                    .put("leaseDuration", "00:00:05"))
            // a short session so that the consumer group notices a killed member within seconds
            .put(
                "kafka",
                new JsonObject().put("SessionTimeoutMs", 6000).put("HeartbeatIntervalMs", 1000));
    Files.writeString(
        config.resolve("host.json"),
        new JsonObject()
            .put("version", "2.0")
            .put("extensions", extensions)
            .put(
                "veil",
                new JsonObject().put("cluster", clusterJson.copy().put("port", clusterPort)))
            .encode());
    int httpPort = FreePorts.next();
    List<String> args =
        new ArrayList<>(
            List.of(
                "start",
                "--cluster",
                "--port",
                Integer.toString(httpPort),
                "--config",
                config.toString(),
                "--data",
                config.resolve("data").toString()));
    for (String p : kafkaBrokers != null ? ALL_FUNCTIONS : ENCRYPTED_FUNCTIONS)
      args.addAll(List.of("--scan", p));
    Map<String, String> env = new HashMap<>();
    env.put("VEIL_CLUSTER_SECRET", SECRET);
    env.put(
        "VEIL_CLUSTER_MEMBERS",
        clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("VEIL_MASTER_KEY", MASTER_KEY);
    env.put("VeilKeyStorage", storage);
    env.put("AzureWebJobsStorage", storage);
    if (kafkaBrokers != null) env.put("KAFKA_BROKERS", kafkaBrokers);
    List<String> jvm =
        new ArrayList<>(
            List.of("-Xmx512m", "-XX:+UseSerialGC", "-Dhazelcast.wait.seconds.before.join=1"));
    jvm.addAll(jvmOptions);
    ChildProcess process =
        ChildProcess.java(
            name, "dev.veil.runtime.Main", jvm, env, args, config.resolve("host.log"));
    return new Host(name, process, httpPort);
  }

  /** Waits (bounded) until the host's /admin/cluster lists this many members. */
  static void awaitMembers(Host host, int count) {
    ClusterAdmin.awaitMembers(
        HTTP,
        host.uri(""),
        MASTER_KEY,
        count,
        Duration.ofMinutes(2),
        host.process()::isAlive,
        () -> host.process().tail());
  }

  static JsonArray members(Host host) throws IOException, InterruptedException {
    return new JsonObject(ClusterAdmin.cluster(HTTP, host.uri(""), MASTER_KEY))
        .getJsonArray("members");
  }

  /**
   * The key refs ({@code container/key_id}) in this host's key cache, as it reports them in
   * /admin/cluster.
   */
  static List<String> cachedKeys(Host host) throws IOException, InterruptedException {
    for (Object m : members(host)) {
      JsonObject member = (JsonObject) m;
      if (member.getBoolean("self", false)) {
        JsonObject cache =
            member.getJsonObject("reports", new JsonObject()).getJsonObject("keyCache");
        return cache == null
            ? List.of()
            : cache.getJsonArray("keys").stream().map(Object::toString).toList();
      }
    }
    throw new IllegalStateException(host.name() + " does not report itself in /admin/cluster");
  }

  /**
   * POSTs one encrypted request ({@code application/octet-stream}, key named in the query) to
   * {@code host}.
   */
  static HttpResponse<byte[]> postEncrypted(Host host, String keyId, byte[] ciphertext)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(
                host.uri("/api/encrypted-mnist?container=" + KEYS + "&key_id=" + keyId))
            .header("content-type", "application/octet-stream")
            .header("x-functions-key", MASTER_KEY)
            .timeout(Duration.ofMinutes(2))
            .POST(HttpRequest.BodyPublishers.ofByteArray(ciphertext))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The first host whose log has a line containing {@code text}, or null. */
  Host hostLogging(String text) {
    return hosts.stream()
        .filter(h -> h.process().logLines().stream().anyMatch(l -> l.contains(text)))
        .findFirst()
        .orElse(null);
  }

  /** Bundle downloads so far, per key_id, read from Azurite's access log. */
  Map<String, Integer> keyDownloads() {
    Map<String, Integer> counts = new HashMap<>();
    for (String line : azurite.logLines()) {
      Matcher m = KEY_DOWNLOAD.matcher(line);
      if (m.find()) counts.merge(m.group(1), 1, Integer::sum);
    }
    return counts;
  }

  int totalKeyDownloads() {
    return keyDownloads().values().stream().mapToInt(Integer::intValue).sum();
  }

  @Override
  public void close() {
    for (Host h : hosts) {
      if (h.process().isAlive())
        h.process().stop(Duration.ofSeconds(20)); // SIGTERM: graceful shutdown
    }
    azurite.stop(Duration.ofSeconds(5));
  }
}
