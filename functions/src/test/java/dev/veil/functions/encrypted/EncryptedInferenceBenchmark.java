package dev.veil.functions.encrypted;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.he.Ciphertext;
import dev.veil.he.Compression;
import dev.veil.testkit.Azurite;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire's default includes skip it; run with
 * -Dtest=EncryptedInferenceBenchmark). For each flow, in one run: request latency with a warm key
 * cache and with a cold one (bundle from Azurite), and the seed-like baseline (bundle downloaded
 * and deserialized on every request, TenSEAL-style matvec with default power-of-two Galois keys);
 * rotation counts of both. Writes target/encrypted-inference-bench.txt.
 *
 * <p>Warm figures are taken after {@code bench.warmupSeconds} of requests, so that the JIT has
 * compiled the request path (the first few hundred requests run partly interpreted and the compiler
 * threads take CPU from them). Each warm figure comes with where the time went: the function's own
 * stages from its {@code Server-Timing} header, the rest (HTTP client, host, network stack) as the
 * remainder, and the CPU per request of every thread of this JVM.
 */
class EncryptedInferenceBenchmark {

  private static final int WARM = Integer.getInteger("bench.warm", 40);
  private static final int COLD = Integer.getInteger("bench.cold", 8);
  private static final int BASELINE = Integer.getInteger("bench.baseline", 3);
  private static final int CLIENTS = Integer.getInteger("bench.clients", 4);
  private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 20);
  // -Dbench.flows=mnist,fast: only the flows whose function or set name contains one of the words
  private static final String FLOWS = System.getProperty("bench.flows", "");
  private static final List<String> STAGES = List.of("parse", "keys", "load", "eval", "save");
  private final StringBuilder report = new StringBuilder();

  @Test
  void run() throws Exception {
    line(
        "encrypted inference benchmark: %d s warm-up, %d warm, %d cold, %d baseline requests per"
            + " flow; %d cores, load average %.1f",
        WARMUP_SECONDS,
        WARM,
        COLD,
        BASELINE,
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    double[] digit = MnistDigits.testSplit().images()[0];
    double[] patient = WdbcData.validation().features()[0];
    flow("encrypted-mnist", "default", digit);
    flow("encrypted-breast-cancer", "fast", patient);
    flow("encrypted-breast-cancer", "notebook", patient);
    Files.writeString(Path.of("target", "encrypted-inference-bench.txt"), report);
  }

  private void flow(String function, String set, double[] sample) throws Exception {
    if (!FLOWS.isBlank()
        && Arrays.stream(FLOWS.split(",")).noneMatch(w -> (function + set).contains(w.strip()))) {
      return;
    }
    JsonNode params = EncryptedHost.heParams(function);
    BlobKeyStore store = BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1L << 30);
    EncryptedInference inference =
        function.equals("encrypted-mnist")
            ? EncryptedHost.shared().mnist()
            : EncryptedHost.shared().breastCancer();
    try (EncryptedClient client = new EncryptedClient(params, set)) {
      KeyRef ref = new KeyRef("veil-bench", function + "-" + set + "-" + System.nanoTime());
      KeyBundle bundle = client.keyBundle();
      store.upload(ref, bundle.encode());
      byte[] ct = client.encrypt(List.of(sample));
      String query = "container=" + ref.container() + "&key_id=" + ref.keyId();

      check(EncryptedHost.post(function, ct, query)); // first request loads the keys
      long warmupEnd = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
      int warmups = concurrently(function, ct, query, () -> System.nanoTime() < warmupEnd);
      // throughput: CLIENTS clients posting back to back, WARM requests each
      AtomicInteger left = new AtomicInteger(CLIENTS * WARM);
      CpuByThread loadStart = CpuByThread.now();
      long started = System.nanoTime();
      concurrently(function, ct, query, () -> left.getAndDecrement() > 0);
      double throughput = CLIENTS * WARM / ((System.nanoTime() - started) / 1e9);
      var loadCpu = CpuByThread.perUnit(loadStart, CpuByThread.now(), CLIENTS * WARM);
      // one client: latency, split into the function's stages (its Server-Timing header) and the
      // rest
      double[] warm = new double[WARM];
      double[] outside = new double[WARM];
      double[][] stages = new double[STAGES.size()][WARM];
      CpuByThread warmStart = CpuByThread.now();
      for (int i = 0; i < WARM; i++) {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> res = EncryptedHost.post(function, ct, query);
        warm[i] = (System.nanoTime() - t0) / 1e6;
        check(res);
        Map<String, Double> timing = serverTiming(res);
        double inside = 0;
        for (int k = 0; k < STAGES.size(); k++) {
          stages[k][i] = timing.getOrDefault(STAGES.get(k), 0.0);
          inside += stages[k][i];
        }
        outside[i] = warm[i] - inside;
      }
      var warmCpu = CpuByThread.perUnit(warmStart, CpuByThread.now(), WARM);
      // the same warm work in this thread, timed by the thread's CPU clock: what the request costs
      // on an idle
      // core, independent of how busy the shared machine is (wall-clock figures above include
      // waiting for a core)
      EncryptedRequest direct = new EncryptedRequest(CiphertextBytes.of(ct), ref, null, null, true);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      double[] cpu = new double[WARM];
      for (int i = 0; i < WARM; i++) {
        long c0 = threads.getCurrentThreadCpuTime();
        inference.evaluate(direct, ResultBody.BINARY);
        cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
      }
      double[] cold = new double[COLD];
      for (int i = 0; i < COLD; i++) {
        EncryptedHost.shared().keyCache().invalidateAll();
        long t0 = System.nanoTime();
        check(EncryptedHost.post(function, ct, query));
        cold[i] = (System.nanoTime() - t0) / 1e6;
      }

      EncryptedModel model = inference.spec().model(client.slotCount());
      double[] expected = model.evaluatePlain(standardized(params, sample));
      byte[] result = EncryptedHost.post(function, ct, query).body();
      double[] ours = client.decrypt(result, 1)[0];
      line(
          "%s [%s] N=%d: bundle %d bytes (%d Galois steps%s); request %d bytes, response %d bytes",
          function,
          set,
          2 * model.slotCount(),
          bundle.encode().length,
          model.rotationSteps().size(),
          bundle.hasRelinKeys() ? " + relin" : "",
          ct.length,
          result.length);
      line("  max abs error vs plaintext: ours %.2g", maxError(expected, ours));
      line("  warm-up: %d requests in %d s, %d clients", warmups, WARMUP_SECONDS, CLIENTS);
      line("  warm  p50 %8.1f ms  p99 %8.1f ms", percentile(warm, 50), percentile(warm, 99));
      StringBuilder split = new StringBuilder();
      for (int k = 0; k < STAGES.size(); k++) {
        split.append(String.format("%s %.2f, ", STAGES.get(k), percentile(stages[k], 50)));
      }
      line(
          "  warm, one client, wall p50 by stage (ms): %soutside the function (HTTP client, host,"
              + " network) %.2f",
          split, percentile(outside, 50));
      line("  warm, one client: CPU ms per request by thread: %s", rounded(warmCpu));
      line(
          "  warm in-process evaluation, thread CPU time: p50 %8.1f ms  p99 %8.1f ms",
          percentile(cpu, 50), percentile(cpu, 99));
      line("  warm throughput, %d concurrent clients: %.1f requests/s", CLIENTS, throughput);
      line("  %d clients: CPU ms per request by thread: %s", CLIENTS, rounded(loadCpu));
      line("  cold  p50 %8.1f ms  p99 %8.1f ms", percentile(cold, 50), percentile(cold, 99));
      if (BASELINE > 0) { // -Dbench.baseline=0 skips it (its bundles are up to 122 MB)
        baseline(
            params, sample, client, model, inference, store, ref, expected, percentile(warm, 50));
      }
    }
  }

  private void baseline(
      JsonNode params,
      double[] sample,
      EncryptedClient client,
      EncryptedModel model,
      EncryptedInference inference,
      BlobKeyStore store,
      KeyRef ref,
      double[] expected,
      double warmP50)
      throws Exception {
    // baseline: TenSEAL's default Galois keys (powers of two), one sample replicated, keys per
    // request
    BaselineModel baseline = new BaselineModel(inference.spec().layers(), model.slotCount());
    KeyRef baseRef = new KeyRef("veil-bench", "baseline-" + ref.keyId());
    KeyBundle baseBundle = client.keyBundleWithDefaultSteps(params.get("relin_keys").asBoolean());
    store.upload(baseRef, baseBundle.encode());
    byte[] baseCt = client.encryptSlots(baseline.pack(standardized(params, sample)));
    SealKeysDecoder decoder = new SealKeysDecoder(1024, 1L << 31);
    double[] base = new double[BASELINE];
    long baseRotations = 0;
    byte[] baseResult = null;
    for (int i = 0; i < BASELINE; i++) {
      long t0 = System.nanoTime();
      SealKeys keys = decoder.decode(KeyBundle.decode(store.download(baseRef).bytes()));
      CountingOps<Ciphertext> ops =
          new CountingOps<>(new SealOps(keys.engine(), keys.galoisKeys(), keys.relinKeys()));
      try (Ciphertext in = Ciphertext.load(keys.engine().context(), baseCt);
          Ciphertext out = baseline.evaluate(ops, in)) {
        baseResult = out.save(Compression.ZSTD);
      }
      base[i] = (System.nanoTime() - t0) / 1e6;
      baseRotations = ops.rotations();
    }
    double[] theirs = Arrays.copyOf(client.decryptSlots(baseResult), expected.length);
    line(
        "  baseline bundle %d bytes; rotations per request: ours %d (%d samples per ciphertext), baseline %d (1 sample)"
            + " -> %.1f%%",
        baseBundle.encode().length,
        model.rotationCount(),
        model.samplesPerCiphertext(),
        baseRotations,
        100.0 * model.rotationCount() / baseRotations);
    line("  baseline max abs error vs plaintext %.2g", maxError(expected, theirs));
    line(
        "  base  p50 %8.1f ms  p99 %8.1f ms   baseline/warm p50 = %.1fx",
        percentile(base, 50), percentile(base, 99), percentile(base, 50) / warmP50);
  }

  /**
   * CLIENTS clients posting back to back while {@code more} says so (asked before each request);
   * returns the number of requests sent.
   */
  private static int concurrently(
      String function, byte[] ct, String query, java.util.function.BooleanSupplier more)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    AtomicInteger sent = new AtomicInteger();
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(
            pool.submit(
                () -> {
                  while (more.getAsBoolean()) {
                    check(EncryptedHost.post(function, ct, query));
                    sent.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : clients) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return sent.get();
  }

  /** The durations (ms) of a {@code Server-Timing} header, by metric name. */
  private static Map<String, Double> serverTiming(HttpResponse<?> res) {
    Map<String, Double> out = new HashMap<>();
    for (String metric : res.headers().firstValue("server-timing").orElse("").split(",")) {
      String[] parts = metric.strip().split(";");
      for (int i = 1; i < parts.length; i++) {
        if (parts[i].strip().startsWith("dur=")) {
          out.put(parts[0].strip(), Double.parseDouble(parts[i].strip().substring(4)));
        }
      }
    }
    return out;
  }

  private static String rounded(Map<String, Double> values) {
    StringBuilder out = new StringBuilder();
    values.forEach(
        (k, v) -> out.append(out.isEmpty() ? "" : ", ").append(String.format("%s %.2f", k, v)));
    return out.toString();
  }

  private static double[] standardized(JsonNode params, double[] x) {
    JsonNode s = params.get("input").get("standardize");
    if (s == null) {
      return x;
    }
    double[] z = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      z[i] = (x[i] - s.get("mean").get(i).asDouble()) / s.get("std").get(i).asDouble();
    }
    return z;
  }

  private static double maxError(double[] a, double[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  private static void check(HttpResponse<byte[]> res) {
    if (res.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + res.statusCode() + ": " + new String(res.body()));
    }
  }

  static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private void line(String format, Object... args) {
    String s = String.format(format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }
}
