package dev.veil.cluster;

import static dev.veil.cluster.ClusterHosts.awaitMembers;
import static dev.veil.cluster.ClusterHosts.cluster;
import static dev.veil.cluster.ClusterHosts.get;
import static dev.veil.cluster.ClusterHosts.members;
import static dev.veil.cluster.ClusterHosts.postKeyed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.cluster.ClusterHosts.Host;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
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
 * Three real host processes (separate JVMs: Hazelcast members on loopback, HTTP trigger, clustered
 * event bus) run as one function app; a fourth with the wrong secret must stay out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessesTest {
  @TempDir static Path dir;
  private static ClusterHosts cluster;
  private static List<Host> hosts;

  @BeforeAll
  static void startHosts() throws Exception {
    cluster = new ClusterHosts(dir, new JsonObject().put("replayHttp", true)).start(3);
    hosts = cluster.hosts;
  }

  @AfterAll
  static void stopHosts() throws InterruptedException {
    cluster.close();
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
    Set<String> expected =
        hosts.stream().map(h -> Long.toString(h.process().pid())).collect(Collectors.toSet());
    assertEquals(expected, pids, "every host served some calls");
    for (Object m : members(hosts.get(0))) {
      JsonObject member = (JsonObject) m;
      assertEquals(
          List.of("drops", "hold", "keyed", "whoami"),
          member.getJsonArray("functions").getList().stream().sorted().toList(),
          "each member reports its functions: " + member);
    }
  }

  @Test
  @Order(2)
  void twoHundredKeyedRequestsOverTwentyKeysDownloadEachKeyOnce() throws Exception {
    Map<String, Set<String>> servedBy = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      String key = "key-" + (i % 20);
      HttpResponse<String> r = postKeyed(hosts.get(i % 3).uri("/api/keyed"), key);
      assertEquals(200, r.statusCode(), r.body());
      JsonObject body = new JsonObject(r.body());
      assertEquals(key, body.getString("key_id"));
      servedBy.computeIfAbsent(key, k -> new HashSet<>()).add(body.getValue("pid").toString());
    }
    List<String> downloads = cluster.downloads();
    assertTrue(
        downloads.size() <= 20,
        "at most one download per key_id, got " + downloads.size() + ": " + downloads);
    assertEquals(20, downloads.size(), "every key was downloaded once");
    Set<String> owners =
        servedBy.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
    assertEquals(3, owners.size(), "the keys are spread over all three hosts: " + servedBy);
  }

  @Test
  @Order(3)
  void anOwnerBusyWithWorkFromElsewhereGetsNoMoreOfItsKeysUntilItIsFree() throws Exception {
    String ownerPid = get(hosts.get(0).uri("/api/whoami?key_id=hot")).body();
    Host owner = hosts.stream().filter(h -> h.pid().equals(ownerPid)).findFirst().orElseThrow();
    Host entry = hosts.stream().filter(h -> h != owner).findFirst().orElseThrow();
    assertEquals(
        ownerPid,
        get(entry.uri("/api/whoami?key_id=hot")).body(),
        "an idle owner serves its key from any entry");
    String ownerId = cluster(owner).getString("nodeId");

    // Every worker of the owner busy with invocations the entry node did not send: the owner's own
    // clients, whose
    // calls stay with the key's owner while it has an idle worker.
    ExecutorService pool = Executors.newFixedThreadPool(ClusterHosts.WORKERS);
    try {
      List<Future<HttpResponse<String>>> held = new ArrayList<>();
      for (int i = 0; i < ClusterHosts.WORKERS; i++) {
        held.add(pool.submit(() -> get(owner.uri("/api/hold?key_id=hot"))));
      }
      Waits.until(
          () -> loadSeenBy(entry, ownerId) >= ClusterHosts.WORKERS,
          Duration.ofSeconds(30),
          "the entry node to hear of the owner's load");
      String busyPid = get(entry.uri("/api/whoami?key_id=hot")).body();
      assertTrue(
          !busyPid.equals(ownerPid), "the busy owner is skipped by a node that sent it nothing");

      Files.createFile(cluster.holdRelease);
      for (Future<HttpResponse<String>> h : held) assertEquals(200, h.get().statusCode());
      Waits.until(
          () -> loadSeenBy(entry, ownerId) == 0,
          Duration.ofSeconds(30),
          "the owner's load to drop");
      assertEquals(
          ownerPid,
          get(entry.uri("/api/whoami?key_id=hot")).body(),
          "the key returns to its free owner");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The in-flight count of node {@code nodeId} in {@code host}'s load view (-1 when it has none).
   */
  private static int loadSeenBy(Host host, String nodeId) {
    try {
      return cluster(host).getJsonObject("loadView").getInteger(nodeId, -1);
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  @Order(4)
  void hostWithWrongSecretIsRefused() throws Exception {
    Host intruder = cluster.startHost("intruder", FreePorts.next(), "another-secret-0123456789");
    try {
      awaitMembers(intruder, 1);
      for (Host h : hosts) {
        assertEquals(3, members(h).size(), "the app still has three members");
      }
      JsonArray seen = members(intruder);
      assertEquals(1, seen.size(), "the intruder forms a cluster of its own: " + seen);
      Set<String> pids = new HashSet<>();
      for (int i = 0; i < 12; i++) pids.add(get(hosts.get(0).uri("/api/whoami")).body());
      assertTrue(
          !pids.contains(Long.toString(intruder.process().pid())), "no work reaches the intruder");
    } finally {
      intruder.process().destroyForcibly().waitFor();
    }
  }

  @Test
  @Order(5)
  void killingAHostMidStreamLosesNoRequest() throws Exception {
    Host victim = hosts.get(2);
    String victimPid = Long.toString(victim.process().pid());
    int before = cluster.downloads().size();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 160; i++) {
        String key = "key-" + (i % 20);
        Host entry = hosts.get(i % 2); // the callers use the surviving hosts' endpoints
        calls.add(pool.submit(() -> postKeyed(entry.uri("/api/keyed"), key)));
        if (i == 40) victim.process().destroyForcibly(); // SIGKILL
      }
      Set<String> lateServers = new HashSet<>();
      for (int i = 0; i < calls.size(); i++) {
        HttpResponse<String> r = calls.get(i).get();
        assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
        if (i >= 120) lateServers.add(new JsonObject(r.body()).getValue("pid").toString());
      }
      assertTrue(
          !lateServers.contains(victimPid), "after the kill nothing is served by the dead host");
    } finally {
      pool.shutdownNow();
    }
    int refetched = cluster.downloads().size() - before;
    assertTrue(refetched >= 1, "the dead host's keys were fetched again by their new owners");
    assertTrue(
        refetched <= 20,
        "only the dead host's keys (and those moved by load) are fetched again: " + refetched);
    for (Host h : hosts.subList(0, 2)) awaitMembers(h, 2);
  }

  @Test
  @Order(6)
  void blobsOfACrashedListerAreProcessedByTheNextLeaseHolder() throws Exception {
    List<Host> alive = hosts.subList(0, 2);
    for (int i = 0; i < 10; i++) cluster.dropBlob("a" + i);
    awaitBlobs(10);
    Set<String> listers =
        cluster.processedBlobs().stream().map(l -> l.split(" ")[1]).collect(Collectors.toSet());
    assertEquals(1, listers.size(), "one node lists the container at a time: " + listers);
    Host holder = alive.stream().filter(h -> listers.contains(h.pid())).findFirst().orElseThrow();
    holder
        .process()
        .destroyForcibly(); // SIGKILL the lease holder; its lease lapses after leaseDuration
    for (int i = 0; i < 10; i++) cluster.dropBlob("b" + i);
    awaitBlobs(20);
    Host survivor = alive.stream().filter(h -> h != holder).findFirst().orElseThrow();
    assertTrue(
        cluster.processedBlobs().stream()
            .filter(l -> l.startsWith("b"))
            .allMatch(l -> l.endsWith(" " + survivor.pid())),
        "the surviving node took the container over");
  }

  /**
   * Waits (bounded) until every dropped blob name appears in the processed log (duplicates
   * allowed).
   */
  private static void awaitBlobs(int count) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
    Set<String> names = Set.of();
    while (System.nanoTime() < deadline) {
      names =
          cluster.processedBlobs().stream().map(l -> l.split(" ")[0]).collect(Collectors.toSet());
      if (names.size() >= count) return;
      Thread.sleep(200);
    }
    throw new AssertionError(
        "only " + names.size() + " of " + count + " blobs were processed: " + names);
  }
}
