package dev.veil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.cluster.ClusterHosts.Host;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two host processes: a key changed through one member's API works, or stops working, on the other
 * within 1 s.
 */
class ClusterKeysTest {
  @TempDir static Path dir;
  static ClusterHosts cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        new ClusterHosts(dir, new JsonObject().put("affinity", false), "dev.veil.triggers.security")
            .start(2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
  }

  @Test
  void rotatingThePrimaryOnOneMemberRefusesItOnAllWithinASecondWhileTheSecondaryKeepsWorking()
      throws Exception {
    Host a = cluster.hosts.get(0);
    Host b = cluster.hosts.get(1);
    assertEquals(
        201,
        admin(
                a,
                "PUT",
                "/admin/functions/scores/keys/primary",
                "{\"value\": \"cluster-primary-0123456789\"}")
            .statusCode());
    HttpResponse<String> secondaryMade =
        admin(a, "POST", "/admin/functions/scores/keys/secondary", null);
    assertEquals(201, secondaryMade.statusCode(), secondaryMade.body());
    String secondary = new JsonObject(secondaryMade.body()).getString("value");
    // a new key reaches the other member within a second
    assertWithinASecond(b, "cluster-primary-0123456789", 200);
    assertWithinASecond(b, secondary, 200);

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (Host h : List.of(a, b)) {
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 3000 && (running.get() || i < 20); i++) {
                  try {
                    HttpResponse<String> r = call(h, secondary);
                    if (r.statusCode() == 200) ok.incrementAndGet();
                    else failures.add(r.statusCode() + " " + r.body());
                  } catch (Exception e) {
                    failures.add(e.toString());
                  }
                }
              }));
    }
    HttpResponse<String> rotated = admin(a, "POST", "/admin/functions/scores/keys/primary", null);
    assertEquals(200, rotated.statusCode(), rotated.body());
    long rotatedAt = System.nanoTime();
    assertWithinASecond(a, "cluster-primary-0123456789", 401);
    assertWithinASecond(b, "cluster-primary-0123456789", 401);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rotatedAt);
    assertWithinASecond(b, new JsonObject(rotated.body()).getString("value"), 200);

    // deleting on the other member works the same way round
    assertEquals(
        204, admin(b, "DELETE", "/admin/functions/scores/keys/primary", null).statusCode());
    assertWithinASecond(a, new JsonObject(rotated.body()).getString("value"), 401);
    running.set(false);
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    assertEquals(List.of(), failures);
    assertTrue(ok.get() >= 40, "requests with the secondary key: " + ok.get());
    assertTrue(tookMs < 1000, "old primary refused everywhere after " + tookMs + " ms");
  }

  /**
   * Polls until {@code key} gets {@code status} on {@code host}; fails if that takes a second or
   * more.
   */
  private static void assertWithinASecond(Host host, String key, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    int last;
    do {
      last = call(host, key).statusCode();
      if (last == status) return;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        "port "
            + host.httpPort()
            + " still answers "
            + last
            + " (wanted "
            + status
            + ") after 1 s");
  }

  private static HttpResponse<String> call(Host host, String key) throws Exception {
    return ClusterHosts.HTTP.send(
        HttpRequest.newBuilder(host.uri("/api/scores"))
            .header("x-functions-key", key)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(Host host, String method, String path, String body)
      throws Exception {
    return ClusterHosts.HTTP.send(
        HttpRequest.newBuilder(host.uri(path))
            .header("x-functions-key", ClusterHosts.MASTER_KEY)
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
