package dev.veil.functions.smpc;

import dev.veil.functions.mnist.MnistDigits;
import dev.veil.smpc.Dealer;
import dev.veil.smpc.FixedPoint;
import dev.veil.smpc.InProcess;
import dev.veil.smpc.Mlp;
import dev.veil.smpc.Plan;
import dev.veil.smpc.Prg;
import dev.veil.smpc.SecureMlp;
import dev.veil.smpc.SharedMlp;
import dev.veil.smpc.Shares;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire's default includes skip it; run with -Dtest=SmpcBenchmark). One
 * run, the 784→128→10 ReLU MLP: secure serving through three Veil host JVMs on loopback (per-image
 * latency p50/p99, batches of 64), the crypto provider's offline cost, bytes and rounds against the
 * protocol's count, the same protocol in-process (no HTTP), and plaintext inference. Writes
 * target/smpc-bench.txt.
 */
class SmpcBenchmark {
  private static final int SINGLE = Integer.getInteger("bench.single", 200);
  private static final int BATCHES = Integer.getInteger("bench.batches", 10);
  private static final FixedPoint FP = FixedPoint.DEFAULT;
  private final StringBuilder report = new StringBuilder();

  @Test
  void run() throws Exception {
    Path dir = Files.createTempDirectory("veil-smpc-bench-");
    Path s0 = dir.resolve("shares0"), s1 = dir.resolve("shares1"), s2 = dir.resolve("masks");
    new SmpcCli()
        .run(
            List.of(
                "share-model",
                "--model",
                "mnist-mlp",
                "--party0",
                s0.toString(),
                "--party1",
                s1.toString(),
                "--provider",
                s2.toString()),
            new PrintStream(new ByteArrayOutputStream()),
            System.err);
    new SmpcCli()
        .run(
            List.of(
                "share-model",
                "--model",
                "mnist-logistic",
                "--party0",
                s0.toString(),
                "--party1",
                s1.toString(),
                "--provider",
                s2.toString()),
            new PrintStream(new ByteArrayOutputStream()),
            System.err);
    MnistDigits digits = MnistDigits.testSplit();
    Mlp model = SmpcModels.mnist();
    dev.veil.functions.mnist.MnistLinearModel logistic =
        dev.veil.functions.mnist.MnistLinearModel.bundled();
    line(
        "secure serving benchmark (mnist-mlp 784-128-10 ReLU, f = %d): %d single-image requests, %d batches of 64; %d cores, "
            + "load average %.2f",
        FP.fracBits(),
        SINGLE,
        BATCHES,
        Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    // plaintext, same process
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 2000; i++) model.scores(digits.images()[i % 2000]);
    long t = System.nanoTime();
    for (int i = 0; i < 2000; i++) model.scores(digits.images()[i % 2000]);
    line("plaintext Java inference: %.1f us per image", (System.nanoTime() - t) / 2000 / 1e3);
    for (int i = 0; i < 2000; i++) logistic.scores(digits.images()[i % 2000]);
    t = System.nanoTime();
    for (int i = 0; i < 2000; i++) logistic.scores(digits.images()[i % 2000]);
    line(
        "plaintext Java inference, 784-10 logistic model (the CKKS function's): %.1f us per image",
        (System.nanoTime() - t) / 2000 / 1e3);

    // provider's offline cost and the protocol counts
    for (int rows : new int[] {1, 64}) {
      SharedMlp.Split shared = SharedMlp.split(model, FP, Prg.fresh());
      long[] zeros = new long[rows * 784];
      Plan plan =
          InProcess.plan(p -> SecureMlp.infer(p, shared.party(p.id()), zeros, rows, true), FP);
      Dealer dealer = shared.masks().dealer();
      for (int i = 0; i < 5; i++) dealer.deal(plan);
      double[] ms = new double[20];
      double[] cpu = new double[20];
      Dealer.Dealt dealt = null;
      for (int i = 0; i < ms.length; i++) {
        long c = threads.getCurrentThreadCpuTime();
        long w = System.nanoTime();
        dealt = dealer.deal(plan);
        ms[i] = (System.nanoTime() - w) / 1e6;
        cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
      }
      // masked weights: only the inputs' side of each layer is opened (8·rows·inputs), ReLU 24 B
      // per value,
      // argmax 8·45 + 16·80 = 1,640 B per row
      long protocolBytes = 8L * rows * 784 + 24L * 128 * rows + 8L * rows * 128 + 1640L * rows;
      line(
          "batch %d: provider deals %s in %.2f ms p50 (thread CPU %.2f ms); bundles %,d B (party 0) + %,d B (party 1); "
              + "protocol count: 9 rounds, %,d B sent per party",
          rows,
          plan,
          percentile(ms, 50),
          percentile(cpu, 50),
          dealt.party0().length,
          dealt.party1().length,
          protocolBytes);
      // the same protocol in-process (two threads, no HTTP)
      long[][] xs =
          Shares.split(FP.encode(Arrays.copyOf(flatten(digits, rows), rows * 784)), Prg.fresh());
      double[] online = new double[20];
      double[] onlineCpu = new double[20];
      for (int i = 0; i < 25; i++) {
        Dealer.Dealt d = dealer.deal(plan);
        long w = System.nanoTime();
        long c = threads.getCurrentThreadCpuTime();
        var r =
            InProcess.run(
                p -> SecureMlp.infer(p, shared.party(p.id()), xs[p.id()], rows, true), FP, plan, d);
        if (i >= 5) {
          online[i - 5] = (System.nanoTime() - w) / 1e6;
          onlineCpu[i - 5] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
        }
        if (i == 0)
          line(
              "batch %d in-process: measured %d rounds, %,d B sent per party",
              rows, r.rounds(), r.bytesPerParty());
      }
      line(
          "batch %d in-process online phase (both parties in one JVM, material dealt beforehand): p50 %.2f ms, p99 %.2f ms; "
              + "party 0's thread CPU p50 %.2f ms",
          rows, percentile(online, 50), percentile(online, 99), percentile(onlineCpu, 50));
    }

    // three Veil hosts on loopback
    try (SmpcHosts hosts = new SmpcHosts(dir, s0, s1, s2, Duration.ofSeconds(30), List.of())) {
      SmpcClient client =
          new SmpcClient(
              hosts.party0.base(), hosts.party1.base(), SmpcHosts.HOST_KEY, Duration.ofSeconds(60));
      for (int i = 0; i < 50; i++) client.predict("mnist-mlp", new double[][] {digits.images()[i]});
      double[] total = new double[SINGLE],
          online = new double[SINGLE],
          material = new double[SINGLE];
      double[] onlineCpu = new double[SINGLE];
      int agree = 0, prefetched = 0;
      long bytes = 0, rounds = 0;
      for (int i = 0; i < SINGLE; i++) {
        double[] image = digits.images()[i % 2000];
        long w = System.nanoTime();
        SmpcClient.Prediction p = client.predict("mnist-mlp", new double[][] {image});
        total[i] = (System.nanoTime() - w) / 1e6;
        online[i] = p.onlineMillis();
        onlineCpu[i] = p.onlineCpuMillis();
        material[i] = p.materialMillis();
        if (p.materialPrefetched()) prefetched++;
        if (p.labels()[0] == Mlp.argmax(model.scores(image))) agree++;
        bytes = p.bytesPerParty();
        rounds = p.rounds();
      }
      line(
          "3 JVMs, 1 image per request: client end to end p50 %.2f ms, p99 %.2f ms; of which party 0's online phase p50 %.2f ms, "
              + "p99 %.2f ms (its thread's CPU p50 %.2f ms) and getting the material p50 %.2f ms (%d/%d requests on material both "
              + "parties fetched ahead: then this is party 0's announcement to party 1); "
              + "%d rounds, %,d B sent per party; %d/%d predictions equal plaintext (scores revealed, argmax by the client)",
          percentile(total, 50),
          percentile(total, 99),
          percentile(online, 50),
          percentile(online, 99),
          percentile(onlineCpu, 50),
          percentile(material, 50),
          prefetched,
          SINGLE,
          rounds,
          bytes,
          agree,
          SINGLE);
      double[] labelOnline = new double[SINGLE / 2],
          labelTotal = new double[SINGLE / 2],
          labelCpu = new double[SINGLE / 2];
      for (int i = 0; i < SINGLE / 2; i++) {
        long w = System.nanoTime();
        SmpcClient.Prediction p =
            client.predict(
                "mnist-mlp", new double[][] {digits.images()[i]}, SmpcClient.Output.ARGMAX);
        labelTotal[i] = (System.nanoTime() - w) / 1e6;
        labelOnline[i] = p.onlineMillis();
        labelCpu[i] = p.onlineCpuMillis();
        rounds = p.rounds();
        bytes = p.bytesPerParty();
      }
      line(
          "3 JVMs, 1 image, argmax on shares (client learns the class only): end to end p50 %.2f ms, p99 %.2f ms; online phase "
              + "p50 %.2f ms, p99 %.2f ms (thread CPU p50 %.2f ms); %d rounds, %,d B sent per party",
          percentile(labelTotal, 50),
          percentile(labelTotal, 99),
          percentile(labelOnline, 50),
          percentile(labelOnline, 99),
          percentile(labelCpu, 50),
          rounds,
          bytes);
      // like for like with CKKS: the 784→10 logistic model encrypted-mnist serves, under secret
      // sharing
      for (int i = 0; i < 30; i++)
        client.predict("mnist-logistic", new double[][] {digits.images()[i]});
      for (SmpcClient.Output output : List.of(SmpcClient.Output.SCORES, SmpcClient.Output.ARGMAX)) {
        double[] logTotal = new double[SINGLE / 2],
            logOnline = new double[SINGLE / 2],
            logCpu = new double[SINGLE / 2];
        int logAgree = 0;
        for (int i = 0; i < SINGLE / 2; i++) {
          double[] image = digits.images()[i];
          long w = System.nanoTime();
          SmpcClient.Prediction p =
              client.predict("mnist-logistic", new double[][] {image}, output);
          logTotal[i] = (System.nanoTime() - w) / 1e6;
          logOnline[i] = p.onlineMillis();
          logCpu[i] = p.onlineCpuMillis();
          if (p.labels()[0] == logistic.predict(image)) logAgree++;
          rounds = p.rounds();
          bytes = p.bytesPerParty();
        }
        line(
            "3 JVMs, mnist-logistic 784-10 (%s): end to end p50 %.2f ms, p99 %.2f ms; online phase p50 %.2f ms, p99 %.2f ms "
                + "(thread CPU p50 %.2f ms); %d rounds, %,d B sent per party; %d/%d = plaintext class",
            output,
            percentile(logTotal, 50),
            percentile(logTotal, 99),
            percentile(logOnline, 50),
            percentile(logOnline, 99),
            percentile(logCpu, 50),
            rounds,
            bytes,
            logAgree,
            SINGLE / 2);
      }
      double[][] batch = new double[64][];
      double[] batchMs = new double[BATCHES];
      for (int b = 0; b < BATCHES + 3; b++) {
        for (int r = 0; r < 64; r++) batch[r] = digits.images()[(b * 64 + r) % 2000];
        long w = System.nanoTime();
        SmpcClient.Prediction p = client.predict("mnist-mlp", batch);
        if (b >= 3) batchMs[b - 3] = (System.nanoTime() - w) / 1e6;
        if (b == 3)
          line(
              "3 JVMs, batch of 64: %d rounds, %,d B sent per party, online phase %.1f ms, material %.1f ms",
              p.rounds(), p.bytesPerParty(), p.onlineMillis(), p.materialMillis());
      }
      double p50 = percentile(batchMs, 50);
      line(
          "3 JVMs, batches of 64: p50 %.1f ms per batch = %.0f images/s (%.2f ms per image)",
          p50, 64_000 / p50, p50 / 64);
      for (int b = 0; b < BATCHES + 3; b++) {
        for (int r = 0; r < 64; r++) batch[r] = digits.images()[(b * 64 + r) % 2000];
        long w = System.nanoTime();
        client.predict("mnist-logistic", batch);
        if (b >= 3) batchMs[b - 3] = (System.nanoTime() - w) / 1e6;
      }
      p50 = percentile(batchMs, 50);
      line(
          "3 JVMs, mnist-logistic batches of 64: p50 %.1f ms per batch = %.0f images/s",
          p50, 64_000 / p50);
    }
    Files.writeString(Path.of("target", "smpc-bench.txt"), report);
  }

  private static double[] flatten(MnistDigits digits, int rows) {
    double[] x = new double[rows * 784];
    for (int r = 0; r < rows; r++) System.arraycopy(digits.images()[r], 0, x, r * 784, 784);
    return x;
  }

  private static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  private void line(String format, Object... args) {
    String s = String.format(java.util.Locale.ROOT, format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }
}
