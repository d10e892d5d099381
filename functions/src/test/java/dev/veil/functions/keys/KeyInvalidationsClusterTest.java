package dev.veil.functions.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.veil.runtime.cluster.EventBusBroadcasts;
import dev.veil.runtime.spi.ClusterBroadcasts;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered Vert.x instances (Hazelcast members on loopback, clustered event bus), each with
 * its own key cache over one shared store: a bundle replaced and noticed on one node leaves the
 * other node's cache.
 */
class KeyInvalidationsClusterTest {
  @TempDir static Path dir;
  private static final ExecutorService executor = Executors.newFixedThreadPool(4);
  private static Node a;
  private static Node b;

  /** One node: its Vert.x, its own broadcasts (as a separate process would have) and key cache. */
  private record Node(
      Vertx vertx,
      EventBusBroadcasts bridge,
      KeyCache<String> cache,
      SimpleMeterRegistry registry,
      LinkedBlockingQueue<String> received) {
    double counter(String name) {
      return registry.get(name).counter().count();
    }
  }

  @BeforeAll
  static void startNodes() throws Exception {
    List<Integer> ports = List.of(FreePorts.next(), FreePorts.next());
    a = startNode(ports.get(0), ports);
    b = startNode(ports.get(1), ports);
    // Event bus subscriptions spread through the cluster asynchronously: wait until a reaches b.
    String probe = "{\"ref\":\"keys/probe\",\"etag\":\"none\"}";
    while (b.received.poll(200, TimeUnit.MILLISECONDS) == null) {
      a.vertx.eventBus().publish(KeyInvalidations.ADDRESS, probe);
    }
    Thread.sleep(500);
    a.received.clear();
    b.received.clear();
  }

  @AfterAll
  static void stopNodes() throws Exception {
    for (Node n : List.of(a, b)) {
      if (n != null) await(n.bridge.stop().eventually(() -> n.vertx.close()));
    }
    executor.shutdownNow();
  }

  @Test
  void aReplacedBundleFoundOnOneNodeIsDroppedOnTheOther() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir.resolve("store"), 1 << 20);
    KeyRef ref = new KeyRef("replaced", "client-1");
    KeyRef other = new KeyRef("replaced", "client-2");
    double aDownloads = a.counter("veil.keys.downloads");
    double bDownloads = b.counter("veil.keys.downloads");
    String v1 = store.upload(ref, KeyCacheTest.bundle("galois-v1"));
    store.upload(other, KeyCacheTest.bundle("other"));
    for (Node n : List.of(a, b)) {
      assertEquals("galois-v1", n.cache.get(store, ref).get(10, TimeUnit.SECONDS));
      assertEquals("other", n.cache.get(store, other).get(10, TimeUnit.SECONDS));
      assertEquals(List.of("replaced/client-1", "replaced/client-2"), refsIn(n, "replaced"));
    }

    String v2 = store.upload(ref, KeyCacheTest.bundle("galois-v2-longer"));
    assertNotEquals(v1, v2);
    // node a answers from its cache and checks the ETag in the background, then swaps the new
    // version in
    Waits.until(
        () -> a.cache.get(store, ref).join().equals("galois-v2-longer"),
        Duration.ofSeconds(10),
        "node a loads the replaced bundle after its background check");
    assertEquals(1.0, a.counter("veil.keys.stale"), "node a found the bundle replaced");

    // Both nodes receive the announcement (the publisher too, over the same event bus).
    for (Node n : List.of(a, b)) awaitMessage(n, v2);
    assertEquals(
        List.of("replaced/client-2"),
        refsIn(b, "replaced"),
        "node b dropped only the replaced bundle");
    assertEquals(
        List.of("replaced/client-1", "replaced/client-2"),
        refsIn(a, "replaced"),
        "node a keeps the copy it just reloaded");

    assertEquals("galois-v2-longer", b.cache.get(store, ref).get(10, TimeUnit.SECONDS));
    assertEquals(
        0.0,
        b.counter("veil.keys.stale"),
        "node b reloaded because it was told, not by finding it stale");
    assertEquals(bDownloads + 3, b.counter("veil.keys.downloads"));
    assertEquals(
        aDownloads + 3,
        a.counter("veil.keys.downloads"),
        "the announcement did not make node a download again");
  }

  @Test
  void malformedAnnouncementsAreIgnored() throws Exception {
    BlobKeyStore store = BlobKeyStore.inFolder(dir.resolve("store2"), 1 << 20);
    KeyRef ref = new KeyRef("malformed", "kept");
    store.upload(ref, KeyCacheTest.bundle("x"));
    b.cache.get(store, ref).get(10, TimeUnit.SECONDS);
    b.vertx.eventBus().publish(KeyInvalidations.ADDRESS, "not json");
    b.vertx.eventBus().publish(KeyInvalidations.ADDRESS, "{\"ref\":\"malformed/kept\"}");
    b.vertx
        .eventBus()
        .publish(
            KeyInvalidations.ADDRESS,
            new JsonObject().put("ref", "malformed/kept").put("etag", store.etag(ref)).encode());
    awaitMessage(b, store.etag(ref)); // published last, so the two bad ones were handled before it
    assertTrue(
        b.cache.cachedRefs().contains("malformed/kept"),
        "bad messages and the current ETag drop nothing");
  }

  private static Node startNode(int port, List<Integer> ports) throws Exception {
    Config config = new Config().setClusterName("key-invalidation-test-" + ports.get(0));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig()
        .setEnabled(true)
        .setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    EventBusOptions eventBus =
        new EventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1").setPort(0);
    Vertx vertx =
        await(
            Vertx.builder()
                .with(new VertxOptions().setEventBusOptions(eventBus))
                .withClusterManager(new HazelcastClusterManager(config))
                .buildClustered());
    ClusterBroadcasts broadcasts = new ClusterBroadcasts();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KeyCache<String> cache =
        new KeyCache<>(
            new KeyCacheTest.TextDecoder(),
            1 << 20,
            Duration.ofMinutes(5),
            executor,
            registry,
            "keys");
    KeyInvalidations.connect(cache, broadcasts);
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    broadcasts.listen(KeyInvalidations.ADDRESS, received::add); // after the cache's listener
    EventBusBroadcasts bridge = new EventBusBroadcasts(vertx, broadcasts).start();
    return new Node(vertx, bridge, cache, registry, received);
  }

  /** Waits for the announcement carrying {@code etag} to have been handled on {@code n}. */
  private static void awaitMessage(Node n, String etag) throws InterruptedException {
    String message;
    do {
      message = n.received.poll(30, TimeUnit.SECONDS);
      assertTrue(message != null, "no announcement with ETag " + etag + " arrived");
    } while (!message.startsWith("{") || !etag.equals(new JsonObject(message).getString("etag")));
  }

  private static List<String> refsIn(Node n, String container) {
    return n.cache.cachedRefs().stream().filter(r -> r.startsWith(container + "/")).toList();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
