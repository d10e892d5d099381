package dev.veil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real host processes (separate JVMs: Hazelcast members on loopback, HTTP trigger, clustered event
 * bus) run as one function app; a fourth with the wrong secret must stay out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessesTest {
  private static final String SECRET = "cluster-test-secret-0123456789";
  private static final String MASTER_KEY = "cluster-test-master-key";
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private static final List<Host> hosts = new ArrayList<>();
  private static List<Integer> clusterPorts;
  private static Path storeLog;

  record Host(Process process, int httpPort, Path log) {
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + httpPort + path);
    }
  }

  @BeforeAll
  static void startHosts() throws Exception {
    storeLog = dir.resolve("store.log");
    Files.createFile(storeLog);
    clusterPorts = List.of(freePort(), freePort(), freePort());
    for (int i = 0; i < 3; i++) hosts.add(startHost("node" + i, clusterPorts.get(i), SECRET));
    for (Host h : hosts) awaitMembers(h, 3);
  }

  @AfterAll
  static void stopHosts() {
    hosts.forEach(h -> h.process().destroyForcibly());
  }

  @Test
  @Order(1)
  void callsOnAnyHostSpreadOverAllHosts() throws Exception {
    Set<String> pids = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      HttpResponse<String> r = get(hosts.get(i % 3).uri("/api/whoami"));
      assertEquals(200, r.statusCode(), r.body());
      pids.add(r.body());
    }
    Set<String> expected = hosts.stream().map(h -> Long.toString(h.process().pid())).collect(Collectors.toSet());
    assertEquals(expected, pids, "every host served some calls");
  }

  @Test
  @Order(2)
  void twoHundredKeyedRequestsOverTwentyKeysDownloadEachKeyOnce() throws Exception {
    Map<String, Set<String>> servedBy = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      String key = "key-" + (i % 20);
      HttpResponse<String> r = post(hosts.get(i % 3).uri("/api/keyed"), key);
      assertEquals(200, r.statusCode(), r.body());
      JsonObject body = new JsonObject(r.body());
      assertEquals(key, body.getString("key_id"));
      servedBy.computeIfAbsent(key, k -> new HashSet<>()).add(body.getValue("pid").toString());
    }
    List<String> downloads = Files.readAllLines(storeLog);
    assertTrue(downloads.size() <= 20, "at most one download per key_id, got " + downloads.size() + ": " + downloads);
    assertEquals(20, downloads.size(), "every key was downloaded once");
    Set<String> owners = servedBy.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
    assertEquals(3, owners.size(), "the keys are spread over all three hosts: " + servedBy);
  }

  @Test
  @Order(3)
  void hostWithWrongSecretIsRefused() throws Exception {
    Host intruder = startHost("intruder", freePort(), "another-secret-0123456789");
    try {
      awaitMembers(intruder, 1);
      for (Host h : hosts) {
        assertEquals(3, members(h).size(), "the app still has three members");
      }
      JsonArray seen = members(intruder);
      assertEquals(1, seen.size(), "the intruder forms a cluster of its own: " + seen);
      Set<String> pids = new HashSet<>();
      for (int i = 0; i < 12; i++) pids.add(get(hosts.get(0).uri("/api/whoami")).body());
      assertTrue(!pids.contains(Long.toString(intruder.process().pid())), "no work reaches the intruder");
    } finally {
      intruder.process().destroyForcibly().waitFor();
    }
  }

  @Test
  @Order(4)
  void killingAHostMidStreamLosesNoRequest() throws Exception {
    Host victim = hosts.get(2);
    String victimPid = Long.toString(victim.process().pid());
    int before = Files.readAllLines(storeLog).size();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 160; i++) {
        String key = "key-" + (i % 20);
        Host entry = hosts.get(i % 2); // the callers use the surviving hosts' endpoints
        calls.add(pool.submit(() -> post(entry.uri("/api/keyed"), key)));
        if (i == 40) victim.process().destroyForcibly(); // SIGKILL
      }
      Set<String> lateServers = new HashSet<>();
      for (int i = 0; i < calls.size(); i++) {
        HttpResponse<String> r = calls.get(i).get();
        assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
        if (i >= 120) lateServers.add(new JsonObject(r.body()).getValue("pid").toString());
      }
      assertTrue(!lateServers.contains(victimPid), "after the kill nothing is served by the dead host");
    } finally {
      pool.shutdownNow();
    }
    int refetched = Files.readAllLines(storeLog).size() - before;
    assertTrue(refetched >= 1, "the dead host's keys were fetched again by their new owners");
    assertTrue(refetched <= 20, "only the dead host's keys (and those moved by load) are fetched again: " + refetched);
    for (Host h : hosts.subList(0, 2)) awaitMembers(h, 2);
  }

  // ---- helpers ----

  private static Host startHost(String name, int clusterPort, String secret) throws IOException {
    Path config = Files.createDirectories(dir.resolve(name));
    Files.writeString(config.resolve("host.json"), new JsonObject()
        .put("version", "2.0")
        .put("veil", new JsonObject().put("cluster", new JsonObject().put("port", clusterPort).put("replayHttp", true)))
        .encode());
    int httpPort = freePort();
    Path log = config.resolve("host.log");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(javaBin, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-Dhazelcast.wait.seconds.before.join=1",
        "-cp", System.getProperty("java.class.path"), "dev.veil.runtime.Main", "start", "--cluster",
        "--port", Integer.toString(httpPort), "--config", config.toString(), "--scan", "dev.veil.cluster.testfn");
    pb.environment().put("VEIL_CLUSTER_SECRET", secret);
    pb.environment().put("VEIL_CLUSTER_MEMBERS", clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    pb.environment().put("VEIL_MASTER_KEY", MASTER_KEY);
    pb.environment().put("VEIL_TEST_STORE_LOG", storeLog.toString());
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Host(pb.start(), httpPort, log);
  }

  /** Waits (bounded) until the host's /admin/cluster lists this many members. */
  private static void awaitMembers(Host host, int count) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!host.process().isAlive()) break;
      try {
        JsonArray members = members(host);
        if (members.size() == count) return;
        last = members.encode();
      } catch (IOException | RuntimeException e) {
        last = e.toString();
      }
      Thread.sleep(300);
    }
    throw new AssertionError("host on port " + host.httpPort() + " did not see " + count + " members (" + last
        + "); its log:\n" + tail(host.log()));
  }

  private static JsonArray members(Host host) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(host.uri("/admin/cluster"))
        .header("x-functions-key", MASTER_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("/admin/cluster answered " + r.statusCode() + ": " + r.body());
    return new JsonObject(r.body()).getJsonArray("members");
  }

  private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(URI uri, String key) throws IOException, InterruptedException {
    String body = new JsonObject().put("data", "x".repeat(64)).put("key_id", key).encode();
    return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(File.separator.equals("/") ? "\n" : "\r\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
