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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire's default includes skip it; run with
 * -Dtest=EncryptedInferenceBenchmark). For each flow, in one run: request latency with a warm key
 * cache and with a cold one (bundle from Azurite), and the seed-like baseline (bundle downloaded
 * and deserialized on every request, TenSEAL-style matvec with default power-of-two Galois keys);
 * rotation counts of both. Writes target/encrypted-inference-bench.txt.
 */
class EncryptedInferenceBenchmark {

  private static final int WARM = Integer.getInteger("bench.warm", 40);
  private static final int COLD = Integer.getInteger("bench.cold", 8);
  private static final int BASELINE = Integer.getInteger("bench.baseline", 3);
  private static final int CLIENTS = Integer.getInteger("bench.clients", 4);
  private final StringBuilder report = new StringBuilder();

  @Test
  void run() throws Exception {
    line(
        "encrypted inference benchmark: %d warm, %d cold, %d baseline requests per flow; %d cores",
        WARM, COLD, BASELINE, Runtime.getRuntime().availableProcessors());
    double[] digit = MnistDigits.testSplit().images()[0];
    double[] patient = WdbcData.validation().features()[0];
    flow("encrypted-mnist", "default", digit);
    flow("encrypted-breast-cancer", "fast", patient);
    flow("encrypted-breast-cancer", "notebook", patient);
    Files.writeString(Path.of("target", "encrypted-inference-bench.txt"), report);
  }

  private void flow(String function, String set, double[] sample) throws Exception {
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
      double[] warm = new double[WARM];
      for (int i = 0; i < WARM; i++) {
        long t0 = System.nanoTime();
        check(EncryptedHost.post(function, ct, query));
        warm[i] = (System.nanoTime() - t0) / 1e6;
      }
      // throughput: CLIENTS clients posting back to back, WARM requests each
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> clients = new ArrayList<>();
      long started = System.nanoTime();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < WARM; i++) {
                    check(EncryptedHost.post(function, ct, query));
                  }
                  return null;
                }));
      }
      for (Future<?> f : clients) {
        f.get();
      }
      double throughput = CLIENTS * WARM / ((System.nanoTime() - started) / 1e9);
      pool.shutdown();
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
      double[] ours = client.decrypt(EncryptedHost.post(function, ct, query).body(), 1)[0];
      line(
          "%s [%s] N=%d: bundle %d bytes (%d Galois steps%s)",
          function,
          set,
          2 * model.slotCount(),
          bundle.encode().length,
          model.rotationSteps().size(),
          bundle.hasRelinKeys() ? " + relin" : "");
      line("  max abs error vs plaintext: ours %.2g", maxError(expected, ours));
      line("  warm  p50 %8.1f ms  p99 %8.1f ms", percentile(warm, 50), percentile(warm, 99));
      line(
          "  warm in-process evaluation, thread CPU time: p50 %8.1f ms  p99 %8.1f ms",
          percentile(cpu, 50), percentile(cpu, 99));
      line("  warm throughput, %d concurrent clients: %.1f requests/s", CLIENTS, throughput);
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
