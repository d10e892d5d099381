package dev.veil.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.veil.runtime.spi.Leases;
import dev.veil.testkit.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two {@link Leases}: a stand-alone host's shared map, and two real Hazelcast members (in this
 * JVM, joined over loopback), where each node's leases go through its own member.
 */
class LeasesTest {
  private static Vertx vertx;
  private static HazelcastInstance memberA;
  private static HazelcastInstance memberB;

  @BeforeAll
  static void start() throws IOException {
    vertx = Vertx.vertx();
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    memberA = Hazelcast.newHazelcastInstance(member(portA, portB));
    memberB = Hazelcast.newHazelcastInstance(member(portB, portA));
  }

  @AfterAll
  static void stop() throws Exception {
    memberB.shutdown();
    memberA.shutdown();
    await(vertx.close());
  }

  /** A pair of nodes' leases over the same store. */
  record Nodes(String name, Function<String, Leases> a, Function<String, Leases> b) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Nodes> nodes() {
    return Stream.of(
        new Nodes("local map", id -> new MapLeases(vertx, id), id -> new MapLeases(vertx, id)),
        new Nodes(
            "hazelcast",
            id -> new HazelcastLeases(vertx, memberA, id),
            id -> new HazelcastLeases(vertx, memberB, id)));
  }

  @ParameterizedTest
  @MethodSource("nodes")
  void oneHolderAtATimeRenewedByItsHolderAndHandedOverOnRelease(Nodes nodes) throws Exception {
    Leases a = nodes.a().apply("node-a");
    Leases b = nodes.b().apply("node-b");
    Duration ttl = Duration.ofMinutes(1);
    assertTrue(await(a.tryAcquire("blob-list/c/f", ttl)));
    assertFalse(await(b.tryAcquire("blob-list/c/f", ttl)));
    assertTrue(await(a.tryAcquire("blob-list/c/f", ttl)), "the holder renews");
    assertTrue(await(a.tryAcquire("blob-list/c/f", ttl)), "and renews again");
    assertTrue(await(b.tryAcquire("blob-list/other/f", ttl)), "leases are per name");
    await(b.release("blob-list/c/f")); // not b's: no effect
    assertFalse(await(b.tryAcquire("blob-list/c/f", ttl)));
    await(a.release("blob-list/c/f"));
    assertTrue(await(b.tryAcquire("blob-list/c/f", ttl)));
    await(b.release("blob-list/c/f"));
    await(b.release("blob-list/other/f"));
  }

  @ParameterizedTest
  @MethodSource("nodes")
  void aRenewedLeaseOutlivesItsFirstTimeToLiveAndAnUnrenewedOneLapses(Nodes nodes)
      throws Exception {
    Leases a = nodes.a().apply("node-a");
    Leases b = nodes.b().apply("node-b");
    Duration ttl = Duration.ofMillis(1500);
    assertTrue(await(a.tryAcquire("short", ttl)));
    for (int i = 0; i < 6; i++) { // 3 s of renewals every 0.5 s: twice the first TTL
      Thread.sleep(500);
      assertTrue(await(a.tryAcquire("short", ttl)), "renewal " + i);
      assertFalse(await(b.tryAcquire("short", ttl)), "held while renewed, " + i);
    }
    boolean taken = false; // a stops renewing (crashed); b gets the lease once it lapses
    for (int i = 0; i < 100 && !taken; i++) {
      Thread.sleep(100);
      taken = await(b.tryAcquire("short", Duration.ofMinutes(1)));
    }
    assertTrue(taken, "the lease lapsed");
    assertFalse(await(a.tryAcquire("short", Duration.ofMinutes(1))));
    await(b.release("short"));
  }

  private static Config member(int port, int peer) {
    Config config = new Config();
    config.setClusterName("leases-test");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    var join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig()
        .setEnabled(true)
        .setMembers(List.of("127.0.0.1:" + port, "127.0.0.1:" + peer));
    return config;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
