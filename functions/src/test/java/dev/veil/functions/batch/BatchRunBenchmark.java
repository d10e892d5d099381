package dev.veil.functions.batch;

import static dev.veil.functions.batch.BatchRunHosts.awaitEnd;
import static dev.veil.functions.batch.BatchRunHosts.csvInputs;
import static dev.veil.functions.batch.BatchRunHosts.request;
import static dev.veil.functions.batch.BatchRunHosts.submit;

import dev.veil.functions.batch.BatchRunHosts.Host;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import dev.veil.testkit.TempDirs;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: batch-run rows/s over breast-cancer CSVs on one host and on three clustered hosts
 * (separate JVMs on loopback, one local storage folder), against the local {@code veil batch}
 * scorer on the same files in the same run. Each gets a warm-up run first. A run is timed by its
 * own {@code submitted} and {@code ended}; the hosts' CPU time is summed over their processes.
 *
 * <p>{@code bench/batch-runs.sh [rows (100000)] [mini-batch size (500)]}
 */
public final class BatchRunBenchmark {
  private static final int FILES = 10;

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int miniBatch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    Path dir = Files.createTempDirectory("veil-batch-bench");
    try {
      double local = local(dir.resolve("local"), rows, miniBatch);
      Result one = hosts(dir.resolve("one"), 1, rows, miniBatch);
      Result three = hosts(dir.resolve("three"), 3, rows, miniBatch);
      System.out.printf(
          "%nbatch runs, %,d rows in %d CSV files, mini_batch_size %d%n", rows, FILES, miniBatch);
      System.out.printf(
          "| | rows/s | vs local `veil batch` | host CPU s |%n| --- | ---: | ---: | ---: |%n");
      System.out.printf("| local `veil batch` (in-process) | %,.0f | 1.00 | |%n", local);
      System.out.printf(
          "| run service, 1 host | %,.0f | %.2f | %.1f |%n",
          one.rowsPerSecond, one.rowsPerSecond / local, one.cpuSeconds);
      System.out.printf(
          "| run service, 3 hosts | %,.0f | %.2f | %.1f |%n",
          three.rowsPerSecond, three.rowsPerSecond / local, three.cpuSeconds);
      System.out.printf(
          "3 hosts vs 1 host: %.2fx; mini-batches per member: %s%n",
          three.rowsPerSecond / one.rowsPerSecond, three.members);
    } finally {
      TempDirs.deleteQuietly(dir);
    }
  }

  private record Result(double rowsPerSecond, double cpuSeconds, String members) {}

  /** The local scorer ({@code veil batch DIR}) on copies of the files: rows/s of the second run. */
  private static double local(Path dir, int rows, int miniBatch) throws Exception {
    try (BlobStore store =
        BlobStores.connect(
            BlobStores.folder(dir.resolve("store")), AzureBlobStore.Options.DEFAULT)) {
      csvInputs(store, "warm/", FILES, Math.max(1, rows / 10 / FILES), dir.resolve("files"));
      csvInputs(store, "timed/", FILES, rows / FILES, dir.resolve("files"));
    }
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    List<String> options =
        List.of("--function", "breast-cancer", "--mini-batch-size", Integer.toString(miniBatch));
    cli(dir.resolve("files/warm"), dir.resolve("out-warm"), options, quiet);
    long start = System.nanoTime();
    cli(dir.resolve("files/timed"), dir.resolve("out-timed"), options, quiet);
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  private static void cli(Path in, Path out, List<String> options, PrintStream quiet) {
    List<String> args = new ArrayList<>(List.of(in.toString(), "--out", out.toString()));
    args.addAll(options);
    int code = new BatchCli().run(args, quiet, quiet);
    if (code != 0) throw new IllegalStateException("veil batch exited " + code);
  }

  private static Result hosts(Path dir, int count, int rows, int miniBatch) throws Exception {
    try (BatchRunHosts app = new BatchRunHosts(dir, List.of()).start(count)) {
      csvInputs(app.store, "warm/", FILES, Math.max(1, rows / 10 / FILES), null);
      csvInputs(app.store, "timed/", FILES, rows / FILES, null);
      Host first = app.hosts.get(0);
      JsonObject warm =
          awaitEnd(
              first,
              submit(first, request("warm/", "warm-out/", miniBatch)),
              Duration.ofMinutes(5));
      check(warm, rows / 10 / FILES * FILES);
      double cpuBefore = cpu(app);
      JsonObject timed =
          awaitEnd(
              first,
              submit(first, request("timed/", "timed-out/", miniBatch)),
              Duration.ofMinutes(10));
      double cpu = cpu(app) - cpuBefore;
      check(timed, rows / FILES * FILES);
      Duration took =
          Duration.between(
              Instant.parse(timed.getString("submitted")), Instant.parse(timed.getString("ended")));
      return new Result(
          timed.getInteger("rows_done") / (took.toNanos() / 1e9),
          cpu,
          timed.getJsonObject("members").encode());
    }
  }

  private static void check(JsonObject run, int rows) {
    if (!"succeeded".equals(run.getString("status")) || run.getInteger("rows_done") != rows)
      throw new IllegalStateException(
          "run did not score " + rows + " rows: " + run.encodePrettily());
  }

  /** CPU seconds used so far by the hosts' processes. */
  private static double cpu(BatchRunHosts app) {
    double seconds = 0;
    for (Host h : app.hosts) {
      seconds +=
          ProcessHandle.of(h.process().pid())
              .flatMap(p -> p.info().totalCpuDuration())
              .map(d -> d.toMillis() / 1000.0)
              .orElse(0.0);
    }
    return seconds;
  }
}
