package dev.veil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.runtime.cluster.ClusterSettings;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.TestPki;
import dev.veil.testkit.TestPki.Issued;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clustered Vert.x members in this JVM with event bus TLS from PEM files: two with
 * certificates from the cluster CA talk; one whose certificate another CA signed joins Hazelcast
 * (same secret) but can neither reach the others' consumers nor be reached.
 */
class ClusterTlsTest {
  @TempDir static Path dir;
  static final List<Vertx> members = new ArrayList<>();

  @AfterAll
  static void stop() throws Exception {
    for (Vertx v : members) await(v.close());
  }

  @Test
  void membersWithoutACertificateFromTheClusterCaAreRefused() throws Exception {
    Issued ca = TestPki.authority("Cluster CA");
    Issued strangerCa = TestPki.authority("Stranger CA");
    ca.writeChain(dir.resolve("cluster-ca.pem"));
    List<Integer> ports = List.of(FreePorts.next(), FreePorts.next(), FreePorts.next());
    Vertx a = member("a", TestPki.issue(ca, "member-a", TestPki.KeyType.EC), ports, 0);
    Vertx b = member("b", TestPki.issue(ca, "member-b", TestPki.KeyType.RSA), ports, 1);
    await(b.eventBus().<String>consumer("echo", m -> m.reply("b:" + m.body())).completion());
    assertEquals(
        "b:hi", awaitReply(a, "echo", "hi"), "members with cluster certificates talk over TLS");

    Vertx stranger =
        member("c", TestPki.issue(strangerCa, "member-c", TestPki.KeyType.EC), ports, 2);
    await(
        stranger.eventBus().<String>consumer("echo-c", m -> m.reply("c:" + m.body())).completion());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (clusterSize(a) < 3 && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(3, clusterSize(a), "the stranger joined Hazelcast's membership (same secret)");
    ExecutionException toStranger =
        assertThrows(ExecutionException.class, () -> awaitReply(a, "echo-c", "hi"));
    ExecutionException fromStranger =
        assertThrows(ExecutionException.class, () -> awaitReply(stranger, "echo", "hi"));
    // the stranger's consumer is registered cluster-wide, so the failure is the TLS connection, not
    // a missing handler
    assertTrue(
        String.valueOf(toStranger.getCause()).contains("Timed out"),
        String.valueOf(toStranger.getCause()));
    assertTrue(
        String.valueOf(fromStranger.getCause()).contains("Timed out"),
        String.valueOf(fromStranger.getCause()));
    assertEquals("b:again", awaitReply(a, "echo", "again"), "the trusted members still talk");
  }

  @Test
  void forwardedRequestsReachAnHttpsListenerThatWantsClientCertificates() throws Exception {
    Issued ca = TestPki.authority("Host CA");
    ca.writeChain(dir.resolve("host-ca.pem"));
    List<Integer> ports = List.of(FreePorts.next(), FreePorts.next());
    List<VeilHost> hosts = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Issued cert = TestPki.issue(ca, "host-" + i, TestPki.KeyType.EC);
        cert.writeChain(dir.resolve("host-" + i + ".pem"));
        cert.writePkcs8Key(dir.resolve("host-" + i + "-key.pem"));
        JsonObject tls =
            new JsonObject()
                .put("certificate", "host-" + i + ".pem")
                .put("key", "host-" + i + "-key.pem");
        JsonObject veil =
            new JsonObject()
                .put("tls", tls.copy().put("clientCertificateAuthorities", "host-ca.pem"))
                .put(
                    "cluster",
                    new JsonObject()
                        .put("name", "tls-forward")
                        .put("port", ports.get(i))
                        .put("interface", "127.0.0.1")
                        .put("affinity", false)
                        .put(
                            "members",
                            new JsonArray(ports.stream().map(p -> "127.0.0.1:" + p).toList()))
                        .put("tls", tls.copy().put("certificateAuthorities", "host-ca.pem")));
        hosts.add(
            await(
                VeilHost.start(
                    new HostOptions()
                        .port(0)
                        .clustered(true)
                        .configDirectory(dir)
                        .dataDirectory(dir.resolve("forward-data-" + i))
                        .functionClass(dev.veil.triggers.security.SecureFunctions.class)
                        .setting(ClusterSettings.SECRET_SETTING, ClusterHosts.SECRET)
                        .setting("VEIL_MASTER_KEY", ClusterHosts.MASTER_KEY)
                        .hostJson(new JsonObject().put("veil", veil)))));
      }
      Issued client = TestPki.issue(ca, "client", TestPki.KeyType.EC);
      java.net.http.HttpClient https =
          java.net.http.HttpClient.newBuilder().sslContext(client.clientContext(ca)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int servedByB = 0;
      while (servedByB == 0 && System.nanoTime() < deadline) {
        for (int i = 0; i < 10; i++) {
          java.net.http.HttpResponse<String> r =
              https.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "https://localhost:" + hosts.get(0).port() + "/api/open"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode(), r.body());
        }
        servedByB = invocations(https, hosts.get(1));
        Thread.sleep(200);
      }
      assertTrue(
          servedByB > 0,
          "requests sent to the first host were forwarded to the second and answered");
    } finally {
      for (VeilHost h : hosts) await(h.close());
    }
  }

  /** The second host's count of successful invocations of "open", from its Prometheus endpoint. */
  private static int invocations(java.net.http.HttpClient https, VeilHost host) throws Exception {
    String metrics =
        https
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("https://localhost:" + host.port() + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    return (int)
        metrics
            .lines()
            .filter(
                l ->
                    l.startsWith("veil_invocations_total")
                        && l.contains("function=\"open\"")
                        && l.contains("status=\"success\""))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
  }

  private static Vertx member(String name, Issued cert, List<Integer> ports, int index)
      throws Exception {
    cert.writeChain(dir.resolve(name + ".pem"));
    cert.writePkcs8Key(dir.resolve(name + "-key.pem"));
    JsonObject hostJson =
        new JsonObject()
            .put(
                "veil",
                new JsonObject()
                    .put(
                        "cluster",
                        new JsonObject()
                            .put("name", "tls-test")
                            .put("port", ports.get(index))
                            .put("interface", "127.0.0.1")
                            .put(
                                "members",
                                new JsonArray(ports.stream().map(p -> "127.0.0.1:" + p).toList()))
                            .put(
                                "tls",
                                new JsonObject()
                                    .put("certificate", name + ".pem")
                                    .put("key", name + "-key.pem")
                                    .put("certificateAuthorities", "cluster-ca.pem"))));
    ClusterSettings settings =
        ClusterSettings.from(
            new HostConfig(hostJson),
            new AppSettings(Map.of(ClusterSettings.SECRET_SETTING, ClusterHosts.SECRET)),
            true,
            "127.0.0.1",
            dir);
    Vertx vertx = await(settings.start()).vertx();
    members.add(vertx);
    return vertx;
  }

  private static String awaitReply(Vertx from, String address, String body) throws Exception {
    return from.eventBus()
        .<String>request(address, body, new DeliveryOptions().setSendTimeout(3000))
        .map(m -> m.body())
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static int clusterSize(Vertx vertx) {
    return ((io.vertx.core.internal.VertxInternal) vertx).clusterManager().getNodes().size();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
