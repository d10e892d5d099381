package dev.veil.cluster;

import static dev.veil.cluster.ClusterHosts.postKeyed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.veil.cluster.ClusterHosts.Host;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the test suite (the name does not end in Test). Run:
 * {@code mvn -B -ntp -q -pl triggers -am verify -Dtest=ClusterBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * and read the lines starting with "cluster-bench" in triggers/target/surefire-reports/dev.veil.cluster.ClusterBenchmark-output.txt.
 *
 * <p>In one run: keyed-request throughput with 1, 2 and 3 host processes on loopback (the client spreads its
 * calls over every host's endpoint), and key downloads for 200 requests over 20 key_ids with affinity on vs off.
 */
class ClusterBenchmark {
  private static final int CLIENT_THREADS = 8;
  private static final int WARMUP = 300;
  private static final int REQUESTS = 2000;

  @TempDir Path dir;

  @Test
  void throughputAndDownloads() throws Exception {
    List<String> lines = new ArrayList<>();
    double single = 0;
    for (int n = 1; n <= 3; n++) {
      try (ClusterHosts cluster = new ClusterHosts(Files.createDirectories(dir.resolve("t" + n)), new JsonObject()).start(n)) {
        run(cluster.hosts, WARMUP);
        long start = System.nanoTime();
        run(cluster.hosts, REQUESTS);
        double perSecond = REQUESTS / ((System.nanoTime() - start) / 1e9);
        if (n == 1) single = perSecond;
        lines.add(String.format("cluster-bench throughput hosts=%d requests=%d clientThreads=%d: %.0f req/s (%.2fx of 1 host)",
            n, REQUESTS, CLIENT_THREADS, perSecond, perSecond / single));
      }
    }
    for (boolean affinity : new boolean[] {true, false}) {
      JsonObject json = new JsonObject().put("affinity", affinity);
      try (ClusterHosts cluster = new ClusterHosts(Files.createDirectories(dir.resolve("a" + affinity)), json).start(3)) {
        for (int i = 0; i < 200; i++) {
          HttpResponse<String> r = postKeyed(cluster.hosts.get(i % 3).uri("/api/keyed"), "key-" + (i % 20));
          assertEquals(200, r.statusCode(), r.body());
        }
        lines.add(String.format("cluster-bench downloads hosts=3 requests=200 keyIds=20 affinity=%s: %d downloads",
            affinity ? "on" : "off", cluster.downloads().size()));
      }
    }
    lines.forEach(System.out::println);
  }

  /** {@code count} keyed requests over 20 key_ids from CLIENT_THREADS threads, entry hosts round-robin. */
  private static void run(List<Host> hosts, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Host entry = hosts.get(i % hosts.size());
        String key = "key-" + (i % 20);
        calls.add(pool.submit(() -> postKeyed(entry.uri("/api/keyed"), key)));
      }
      for (Future<HttpResponse<String>> call : calls) assertEquals(200, call.get().statusCode(), call.get().body());
    } finally {
      pool.shutdownNow();
    }
  }
}
