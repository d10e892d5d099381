import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-forward overhead of a cluster's invocation path, two builds in one run (see forward-overhead.sh).
 * For each build two host JVMs form a cluster; a call enters host A with a key owned by host B, so A sends it
 * to B; the same call sent to B directly runs there. The overhead is median(via A) − median(direct to B).
 * Builds and routes alternate in rounds, so load drift on a shared machine hits both alike.
 * Args: workDir rounds perRound name=classpath...
 */
public final class ForwardOverhead {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  record Host(Process process, int port) {}

  record Pair(String name, Host a, Host b, String key) {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int perRound = Integer.parseInt(args[2]);
    List<Pair> pairs = new ArrayList<>();
    List<Process> all = new ArrayList<>();
    try {
      for (int i = 3; i < args.length; i++) {
        String name = args[i].substring(0, args[i].indexOf('='));
        String cp = args[i].substring(args[i].indexOf('=') + 1);
        int[] cluster = {freePort(), freePort()};
        Host a = start(work.resolve(name + "-a"), cp, cluster, 0);
        all.add(a.process());
        Host b = start(work.resolve(name + "-b"), cp, cluster, 1);
        all.add(b.process());
        awaitCluster(a, work.resolve(name + "-a"));
        awaitCluster(b, work.resolve(name + "-b"));
        pairs.add(new Pair(name, a, b, null));
      }
      List<Pair> keyed = new ArrayList<>();
      for (Pair p : pairs) keyed.add(new Pair(p.name(), p.a(), p.b(), keyOwnedBy(p)));
      String body = "{\"key_id\":\"%s\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
      for (Pair p : keyed) { // warm-up
        for (int i = 0; i < 2000; i++) {
          call(p.a(), p.key(), null);
          call(p.b(), p.key(), null);
          if (i % 4 == 0) { call(p.a(), p.key(), body); call(p.b(), p.key(), body); }
        }
      }
      int n = keyed.size();
      long[][][] samples = new long[n][4][rounds * perRound]; // pair, {getVia, getDirect, postVia, postDirect}
      for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < n; k++) {
          Pair p = keyed.get((r + k) % n);
          int pi = (r + k) % n;
          for (int i = 0; i < perRound; i++) {
            int at = r * perRound + i;
            samples[pi][0][at] = call(p.a(), p.key(), null);
            samples[pi][1][at] = call(p.b(), p.key(), null);
            samples[pi][2][at] = call(p.a(), p.key(), body);
            samples[pi][3][at] = call(p.b(), p.key(), body);
          }
        }
      }
      System.out.printf("forward-overhead: %d rounds x %d calls per route and build, %d cores, load %s%n", rounds, perRound,
          Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
      for (int k = 0; k < n; k++) {
        double[] m = new double[4];
        for (int s = 0; s < 4; s++) m[s] = median(samples[k][s]) / 1000.0;
        System.out.printf("forward-overhead build=%s GET: via A %.0f us, direct %.0f us, overhead %.0f us | POST 64 KiB: via A %.0f us,"
            + " direct %.0f us, overhead %.0f us%n", keyed.get(k).name(), m[0], m[1], m[0] - m[1], m[2], m[3], m[2] - m[3]);
      }
    } finally {
      for (Process p : all) p.destroyForcibly().waitFor();
    }
  }

  static double median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Nanoseconds for one call of whoami (GET) or keyed (POST with a JSON body), both placed by key_id. */
  static long call(Host host, String key, String bodyFormat) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port()
        + (bodyFormat == null ? "/api/whoami?key_id=" + key : "/api/keyed"))).timeout(Duration.ofSeconds(30));
    if (bodyFormat != null) b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bodyFormat.formatted(key)));
    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    long t = System.nanoTime() - t0;
    if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
    return t;
  }

  /** A key whose owner is host B (both hosts agree: rendezvous hashing). */
  static String keyOwnedBy(Pair p) throws Exception {
    String pidB = Long.toString(p.b().process().pid());
    for (int i = 0; i < 200; i++) {
      String key = "k" + i;
      if (get(p.a(), "/api/whoami?key_id=" + key).equals(pidB) && get(p.b(), "/api/whoami?key_id=" + key).equals(pidB)) return key;
    }
    throw new IllegalStateException("no key owned by B found");
  }

  static String get(Host h, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  static Host start(Path dir, String cp, int[] cluster, int index) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("host.json"), "{\"version\":\"2.0\",\"veil\":{\"workerPoolSize\":4,\"cluster\":{\"port\":"
        + cluster[index] + ",\"interface\":\"127.0.0.1\"}}}");
    int port = freePort();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-Dhazelcast.wait.seconds.before.join=1", "-cp", cp, "dev.veil.runtime.Main", "start", "--cluster",
        "--port", Integer.toString(port), "--config", dir.toString(), "--scan", "dev.veil.cluster.testfn");
    pb.environment().put("VEIL_CLUSTER_SECRET", "forward-bench-secret-0123456789");
    pb.environment().put("VEIL_CLUSTER_MEMBERS", "127.0.0.1:" + cluster[0] + ",127.0.0.1:" + cluster[1]);
    pb.environment().put("VEIL_MASTER_KEY", "forward-bench-master-key");
    pb.environment().put("VEIL_TEST_STORE_LOG", dir.resolve("store.log").toString());
    pb.environment().put("VEIL_TEST_BLOB_LOG", dir.resolve("blob.log").toString());
    pb.environment().put("VEIL_TEST_RELEASE", dir.resolve("release").toString());
    // the test app's blob-triggered function polls this (empty) local store
    pb.environment().put("AzureWebJobsStorage", "file:" + Files.createDirectories(dir.resolve("blobs").resolve("drops")).getParent());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("host.log").toFile());
    return new Host(pb.start(), port);
  }

  /** Waits until the host's /admin/cluster lists two members. */
  static void awaitCluster(Host host, Path dir) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!host.process().isAlive()) throw new IllegalStateException("host exited; see " + dir.resolve("host.log"));
      try {
        if (get(host, "/admin/cluster?code=forward-bench-master-key").contains("\"members\"")
            && get(host, "/admin/cluster?code=forward-bench-master-key").split("\"nodeId\"").length > 3) return;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException("host did not join in time; see " + dir.resolve("host.log"));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
