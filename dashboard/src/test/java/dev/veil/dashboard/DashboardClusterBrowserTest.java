package dev.veil.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.encrypted.EncryptedClient;
import dev.veil.functions.encrypted.EncryptedFunctionSpec;
import dev.veil.functions.encrypted.EncryptedInference;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.ClusterAdmin;
import dev.veil.testkit.FreePorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's Cluster page against real members: two Veil hosts in separate JVMs ({@code veil
 * start --cluster}, one Hazelcast cluster on loopback) that served encrypted MNIST calls for three
 * clients' keys and have invocations held in flight, and a third JVM started with another cluster
 * secret. Headless Chromium signs in to the first host's /ui
 * (src/test/browser/dashboard-cluster.mjs); the page must list exactly the two members, with the
 * node ids, addresses, in-flight counts, functions and cached key_ids that the host's
 * /admin/cluster reports (each client's key on one member), and neither list nor refuse the
 * stranger (another secret is another Hazelcast cluster).
 */
class DashboardClusterBrowserTest {
  private static final String SECRET = "dashboard-cluster-secret-0123456789";
  private static final String MASTER_KEY = "dashboard-cluster-master-key";
  private static final Path CHECK = Path.of("src", "test", "browser", "dashboard-cluster.mjs");
  private static final int HELD = 5;
  private static final String KEYS = "dash-keys";
  private static final List<String> TENANTS = List.of("tenant-a", "tenant-b", "tenant-c");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir static Path dir;
  private static Path release;
  private static Path keyDir;
  private static final List<Host> hosts = new ArrayList<>();
  private static Host stranger;
  private static final List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();

  record Host(ChildProcess process, int port) {
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    release = dir.resolve("release");
    keyDir = Files.createDirectories(dir.resolve("keys"));
    List<Integer> clusterPorts = List.of(FreePorts.next(), FreePorts.next());
    String members =
        clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    for (int i = 0; i < clusterPorts.size(); i++)
      hosts.add(startHost("node" + i, clusterPorts.get(i), SECRET, members));
    stranger = startHost("stranger", FreePorts.next(), "another-secret-0123456789abcdef", members);
    for (Host h : hosts) awaitMembers(h, 2);
    awaitMembers(stranger, 1);

    // Encrypted MNIST calls for three clients' keys, all through the first host: each key is
    // loaded by the member that owns its key_id, so the page can show where each key lives.
    uploadAndCallEncrypted(hosts.get(0));

    // Traffic on both entry points, then invocations held in flight until @AfterAll.
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get(hosts.get(i % 2).uri("/api/whoami"));
      assertEquals(200, r.statusCode(), r.body());
    }
    for (int i = 0; i < HELD; i++)
      held.add(
          HTTP.sendAsync(
              HttpRequest.newBuilder(hosts.get(i % 2).uri("/api/hold"))
                  .timeout(Duration.ofMinutes(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (release != null) Files.writeString(release, "go");
    for (CompletableFuture<HttpResponse<String>> h : held) {
      try {
        h.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the hosts stop below either way
      }
    }
    List<Host> all = new ArrayList<>(hosts);
    if (stranger != null) all.add(stranger);
    all.forEach(h -> h.process().stop(Duration.ofSeconds(20)));
  }

  @Test
  void clusterPageListsTheMembersWithTheirInFlightInvocations() throws Exception {
    Host entry = hosts.get(0);
    // Every held invocation is running somewhere before the browser looks.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonObject cluster = cluster(entry);
    while (inFlight(cluster) < HELD) {
      assertTrue(System.nanoTime() < deadline, "held invocations in flight: " + cluster.encode());
      Thread.sleep(200);
      cluster = cluster(entry);
    }
    int inFlight = inFlight(cluster);

    Path shot = Path.of("target", "screenshots", "cluster-members.png").toAbsolutePath();
    Process p =
        new ProcessBuilder(
                "node",
                CHECK.toString(),
                "--url",
                "http://127.0.0.1:" + entry.port(),
                "--key",
                MASTER_KEY,
                "--members",
                "2",
                "--in-flight",
                String.valueOf(inFlight),
                "--shot",
                shot.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "cluster check failed:\n" + out);
    String[] lines = out.strip().split("\n");
    JsonObject page = new JsonObject(lines[lines.length - 1]);
    System.out.println("cluster page: " + page.encode());
    assertTrue(Files.size(shot) > 0, "screenshot");

    // What the page shows is what the host reports (nothing moves while the calls are held).
    cluster = cluster(entry);
    Map<String, JsonObject> reported = new HashMap<>();
    for (Object m : cluster.getJsonArray("members")) {
      JsonObject member = (JsonObject) m;
      reported.put(member.getString("nodeId"), member);
    }
    assertEquals(2, reported.size(), cluster.encode());
    assertTrue(
        page.getString("state").contains("2 member(s), this node " + cluster.getString("nodeId")),
        page.encode());
    JsonArray rows = page.getJsonArray("rows");
    assertEquals(2, rows.size(), page.encode());
    int busyMembers = 0;
    for (Object r : rows) {
      JsonArray row = (JsonArray) r;
      String shown = row.getString(0);
      String nodeId = shown.replace(" (this node)", "");
      JsonObject member = reported.get(nodeId);
      assertTrue(member != null, "row " + row + " is a member of " + reported.keySet());
      assertEquals(member.getBoolean("self"), shown.endsWith(" (this node)"), row.encode());
      assertEquals(member.getString("address"), row.getString(1), row.encode());
      assertEquals(
          String.valueOf(member.getInteger("inFlightInvocations")),
          row.getString(2),
          "in flight on " + nodeId);
      if (member.getInteger("inFlightInvocations") > 0) busyMembers++;
      assertEquals(
          member.getJsonArray("functions").stream().map(String::valueOf).sorted().toList(),
          List.of(row.getString(3).split(", ")).stream().sorted().toList(),
          row.encode());
      assertTrue(
          List.of(row.getString(3).split(", "))
              .containsAll(List.of("hold", "whoami", "encrypted-mnist")),
          row.encode());
    }
    assertTrue(busyMembers >= 1, "some member runs the held calls: " + page.encode());

    // Where each key_id lives: the page's key_ids per member are that member's key cache, and
    // every client's key is on exactly one member.
    List<String> shownKeys = new ArrayList<>();
    for (Object r : rows) {
      JsonArray row = (JsonArray) r;
      JsonObject member = reported.get(row.getString(0).replace(" (this node)", ""));
      JsonObject cache =
          member.getJsonObject("reports", new JsonObject()).getJsonObject("keyCache");
      List<String> cached =
          cache == null
              ? List.of()
              : cache.getJsonArray("keys").stream().map(String::valueOf).sorted().toList();
      List<String> shownHere =
          row.getString(4).isEmpty()
              ? List.of()
              : List.of(row.getString(4).split(", ")).stream().sorted().toList();
      assertEquals(cached, shownHere, "key_ids of " + row.getString(0));
      shownKeys.addAll(shownHere);
    }
    for (String tenant : TENANTS)
      assertEquals(
          1,
          shownKeys.stream().filter((KEYS + "/" + tenant)::equals).count(),
          tenant + " on one member: " + shownKeys);

    // The stranger (another secret) runs alone: not a member, and not refused either.
    String strangerId = cluster(stranger).getString("nodeId");
    assertFalse(page.encode().contains(strangerId), "the stranger is not on the page");
    assertEquals(0, cluster.getJsonArray("refused").size(), cluster.encode());
    assertEquals(List.of("none"), page.getJsonArray("refused").getList(), page.encode());
    // These hosts have no batch service: the page says so instead of asking (no 404 in the
    // console).
    assertEquals("This host does not serve the batch service.", page.getString("batch"));
  }

  /** Uploads each client's key bundle to the hosts' key folder and makes one encrypted call. */
  private static void uploadAndCallEncrypted(Host entry) throws Exception {
    JsonNode heParams =
        new ObjectMapper()
            .valueToTree(
                new EncryptedInference(
                        EncryptedFunctionSpec.mnist(MnistLinearModel.bundled()), null, null, null)
                    .heParams());
    BlobKeyStore store = BlobKeyStore.inFolder(keyDir, 1L << 30);
    double[] sample = new double[784];
    for (int i = 300; i < 500; i += 3) sample[i] = 1;
    for (String tenant : TENANTS) {
      EncryptedClient client = new EncryptedClient(heParams, null);
      store.upload(new KeyRef(KEYS, tenant), client.keyBundle().encode());
      HttpResponse<byte[]> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      entry.uri("/api/encrypted-mnist?container=" + KEYS + "&key_id=" + tenant))
                  .header("content-type", "application/octet-stream")
                  .header("x-functions-key", MASTER_KEY)
                  .timeout(Duration.ofMinutes(2))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(client.encrypt(List.of(sample))))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    }
  }

  private static Host startHost(String name, int clusterPort, String secret, String members)
      throws Exception {
    Path config = Files.createDirectories(dir.resolve(name));
    Files.writeString(
        config.resolve("host.json"),
        new JsonObject()
            .put("version", "2.0")
            .put(
                "veil",
                new JsonObject()
                    .put("workerPoolSize", 8)
                    .put("cluster", new JsonObject().put("port", clusterPort))
                    .put("dashboard", new JsonObject().put("sampleSeconds", 1)))
            .encode());
    int port = FreePorts.next();
    ChildProcess process =
        ChildProcess.java(
            name,
            "dev.veil.runtime.Main",
            List.of(
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Dhazelcast.wait.seconds.before.join=1"),
            Map.of(
                "VEIL_CLUSTER_SECRET", secret,
                "VEIL_CLUSTER_MEMBERS", members,
                "VEIL_MASTER_KEY", MASTER_KEY,
                "VEIL_TEST_RELEASE", release.toString(),
                "VEIL_KEYS_DIR", keyDir.toString()),
            List.of(
                "start",
                "--cluster",
                "--port",
                Integer.toString(port),
                "--config",
                config.toString(),
                "--scan",
                "dev.veil.dashboard.clusterfn",
                "--scan",
                "dev.veil.functions.encrypted"),
            config.resolve("host.log"));
    return new Host(process, port);
  }

  /** Waits (bounded) until the host's /admin/cluster lists this many members. */
  private static void awaitMembers(Host host, int count) {
    ClusterAdmin.awaitMembers(
        HTTP,
        host.uri(""),
        MASTER_KEY,
        count,
        Duration.ofSeconds(90),
        host.process()::isAlive,
        () -> host.process().tail());
  }

  private static JsonObject cluster(Host host) throws Exception {
    return new JsonObject(ClusterAdmin.cluster(HTTP, host.uri(""), MASTER_KEY));
  }

  private static int inFlight(JsonObject cluster) {
    int sum = 0;
    for (Object m : cluster.getJsonArray("members"))
      sum += ((JsonObject) m).getInteger("inFlightInvocations", 0);
    return sum;
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
