package dev.veil.functions.cluster;

import static dev.veil.functions.cluster.FunctionAppHosts.postEncrypted;

import dev.veil.functions.cluster.FunctionAppHosts.Host;
import dev.veil.functions.cluster.MnistTenants.Tenant;
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
 * Benchmark, not a test (surefire's default includes skip it). Run: {@code mvn -B -ntp -q -pl
 * functions -am verify -Dtest=ClusterMnistBenchmark -Dsurefire.failIfNoSpecifiedTests=false} and
 * read functions/target/cluster-bench.txt.
 *
 * <p>In one run, the real encrypted MNIST function (CKKS, 20 key_ids with their own keys, bundles
 * in Azurite): throughput with 1, 2 and 3 host processes on loopback (the client spreads its calls
 * over every host's endpoint), and with 3 hosts once more with key affinity off; for each, the
 * bundle downloads Azurite served. All hosts share this machine's cores, so more hosts add no CPU:
 * the figures show the cost of the cluster (one event-bus hop per invocation sent to another host)
 * and what affinity saves, not scale-out.
 */
class ClusterMnistBenchmark {
  private static final int KEY_IDS = 20;
  private static final int CLIENT_THREADS = Integer.getInteger("bench.clients", 4);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 60);
  private static final int REQUESTS = Integer.getInteger("bench.requests", 300);

  @TempDir Path dir;

  @Test
  void throughputAndDownloads() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "cluster-bench: encrypted-mnist, %d key_ids, %d client threads, %d warm-up + %d timed requests, %d cores",
            KEY_IDS, CLIENT_THREADS, WARMUP, REQUESTS, Runtime.getRuntime().availableProcessors()));
    lines.add(
        "cluster-bench: load average at the start "
            + Files.readString(Path.of("/proc/loadavg")).strip());
    double single = 0;
    try (MnistTenants tenants = new MnistTenants("bench", KEY_IDS)) {
      for (int run = 0; run < 4; run++) {
        int n = Math.min(run + 1, 3);
        boolean affinity = run < 3;
        JsonObject clusterJson = new JsonObject().put("affinity", affinity);
        try (FunctionAppHosts app =
            new FunctionAppHosts(
                    Files.createDirectories(dir.resolve("run" + run)), clusterJson, null, List.of())
                .start(n)) {
          tenants.upload(app.storage());
          drive(app.hosts, tenants, WARMUP);
          long start = System.nanoTime();
          drive(app.hosts, tenants, REQUESTS);
          double perSecond = REQUESTS / ((System.nanoTime() - start) / 1e9);
          if (n == 1) single = perSecond;
          lines.add(
              String.format(
                  "cluster-bench hosts=%d affinity=%s: %.1f req/s (%.2fx of 1 host); bundle downloads %d for %d requests;"
                      + " 503 retries %d",
                  n,
                  affinity ? "on" : "off",
                  perSecond,
                  perSecond / single,
                  app.totalKeyDownloads(),
                  WARMUP + REQUESTS,
                  RETRIES.getAndSet(0)));
        }
      }
    }
    lines.add(
        "cluster-bench: load average at the end "
            + Files.readString(Path.of("/proc/loadavg")).strip());
    lines.forEach(System.out::println);
    Files.write(Path.of("target", "cluster-bench.txt"), lines);
  }

  private static final java.util.concurrent.atomic.AtomicInteger RETRIES =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * One encrypted request; a 503 with Retry-After (the key loader's per-container limit while
   * bundles load) is retried after that pause, as a client would, and counted.
   */
  private static HttpResponse<byte[]> postRetrying(Host entry, Tenant t) throws Exception {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<byte[]> r = postEncrypted(entry, t.keyId(), t.ciphertext());
      var retryAfter = r.headers().firstValue("retry-after");
      if (r.statusCode() != 503 || retryAfter.isEmpty() || attempt == 20) return r;
      RETRIES.incrementAndGet();
      Thread.sleep(Math.min(1000, Long.parseLong(retryAfter.get()) * 1000));
    }
  }

  /**
   * {@code count} encrypted requests over the key_ids from CLIENT_THREADS threads, entry hosts
   * round-robin.
   */
  private static void drive(List<Host> hosts, MnistTenants tenants, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
    try {
      List<Future<HttpResponse<byte[]>>> calls = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Host entry = hosts.get(i % hosts.size());
        Tenant t = tenants.get(i);
        calls.add(pool.submit(() -> postRetrying(entry, t)));
      }
      for (int i = 0; i < count; i++) {
        HttpResponse<byte[]> r = calls.get(i).get();
        if (r.statusCode() != 200)
          throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body()));
        if (i % 50 == 0 && !tenants.get(i).answerMatches(r.body())) {
          throw new IllegalStateException("a decrypted answer disagrees with the plaintext model");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
