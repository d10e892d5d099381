package dev.veil.functions.batch;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Veil hosts serving the batch run service as separate JVMs ({@code veil start}, clustered when
 * more than one) on loopback, all on one local storage folder: inputs, run state, records, claims
 * and outputs. For the cluster test and the batch-run benchmark.
 */
final class BatchRunHosts implements AutoCloseable {
  static final String SECRET = "batch-run-cluster-secret-0123456";
  static final String MASTER_KEY = "batch-run-cluster-master-key";
  static final String INPUT = "runs-input";
  static final String OUTPUT = "runs-output";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final List<String> jvmOptions;
  private final List<Integer> clusterPorts = new ArrayList<>();
  final BlobStore store;
  final List<Host> hosts = new ArrayList<>();

  record Host(String name, ChildProcess process, int httpPort) {
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + httpPort + path);
    }
  }

  BatchRunHosts(Path dir, List<String> jvmOptions) {
    this.dir = dir;
    this.jvmOptions = jvmOptions;
    this.store = BlobStores.connect(storage(), AzureBlobStore.Options.DEFAULT);
  }

  private String storage() {
    return BlobStores.folder(dir.resolve("store"));
  }

  /** Starts {@code count} hosts in parallel; with more than one, waits until each sees them all. */
  BatchRunHosts start(int count) throws IOException {
    try { // a failed start stops what it started: the caller never gets this object to close
      for (int i = 0; i < count; i++) clusterPorts.add(FreePorts.next());
      for (int i = 0; i < count; i++) hosts.add(startHost("node" + i, clusterPorts.get(i), count));
      for (Host h : hosts) {
        Waits.until(
            () -> {
              if (!h.process().isAlive())
                throw new AssertionError(h.name() + " exited:\n" + h.process().tail());
              try {
                return count == 1
                    ? get(h, "/admin/host/status") != null
                    : get(h, "/admin/cluster").getJsonArray("members").size() == count;
              } catch (IOException | RuntimeException e) {
                return false;
              }
            },
            Duration.ofMinutes(2),
            h.name() + " to be up with " + count + " members; its log:\n" + h.process().tail());
      }
      return this;
    } catch (IOException | RuntimeException | AssertionError e) {
      close();
      throw e;
    }
  }

  private Host startHost(String name, int clusterPort, int count) throws IOException {
    Path config = Files.createDirectories(dir.resolve(name));
    JsonObject veil = new JsonObject();
    if (count > 1) {
      veil.put("cluster", new JsonObject().put("port", clusterPort));
    }
    Files.writeString(
        config.resolve("host.json"),
        new JsonObject().put("version", "2.0").put("veil", veil).encode());
    int httpPort = FreePorts.next();
    List<String> args =
        new ArrayList<>(
            List.of(
                "start",
                "--port",
                Integer.toString(httpPort),
                "--config",
                config.toString(),
                "--data",
                config.resolve("data").toString(),
                "--scan",
                "dev.veil.functions.batch"));
    if (count > 1) args.add(1, "--cluster");
    Map<String, String> env = new HashMap<>();
    env.put("VEIL_CLUSTER_SECRET", SECRET);
    env.put(
        "VEIL_CLUSTER_MEMBERS",
        clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("VEIL_MASTER_KEY", MASTER_KEY);
    env.put("AzureWebJobsStorage", storage());
    List<String> jvm =
        new ArrayList<>(
            List.of("-Xmx384m", "-XX:+UseSerialGC", "-Dhazelcast.wait.seconds.before.join=1"));
    jvm.addAll(jvmOptions);
    ChildProcess process =
        ChildProcess.java(
            name, "dev.veil.runtime.Main", jvm, env, args, config.resolve("host.log"));
    return new Host(name, process, httpPort);
  }

  /**
   * Writes {@code files} breast-cancer CSVs of {@code rows} rows each under {@code prefix} in
   * {@value #INPUT}, and the same files into {@code localCopy} when not null; the expected
   * predictions, file by file.
   */
  static Map<String, List<String>> csvInputs(
      BlobStore to, String prefix, int files, int rows, Path localCopy) throws IOException {
    WdbcData wdbc = WdbcData.load();
    BreastCancerModel model = BreastCancerModel.bundled();
    Map<String, List<String>> expected = new HashMap<>();
    for (int f = 0; f < files; f++) {
      StringBuilder text = new StringBuilder(String.join(",", model.featureNames())).append('\n');
      List<String> predictions = new ArrayList<>();
      for (int r = 0; r < rows; r++) {
        double[] row = wdbc.features()[(f * rows + r) % wdbc.features().length];
        List<String> cells = new ArrayList<>();
        for (double v : row) cells.add(String.valueOf(v));
        text.append(String.join(",", cells)).append('\n');
        predictions.add(String.valueOf(model.predict(new double[][] {row}).labels()[0]));
      }
      String name = prefix + "part-" + f + ".csv";
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      to.write(INPUT, name, bytes);
      if (localCopy != null) {
        Path copy = localCopy.resolve(name);
        Files.createDirectories(copy.getParent());
        Files.write(copy, bytes);
      }
      expected.put(name, predictions);
    }
    return expected;
  }

  /** A run request over {@code prefix} of {@value #INPUT} into {@code out} of {@value #OUTPUT}. */
  static JsonObject request(String prefix, String out, int miniBatch) {
    return new JsonObject()
        .put("input", new JsonObject().put("container", INPUT).put("prefix", prefix))
        .put("model", "breast-cancer")
        .put("mini_batch_size", miniBatch)
        .put("error_threshold", 0)
        .put("output", new JsonObject().put("container", OUTPUT).put("prefix", out));
  }

  /** Submits a run to {@code host}; its id. */
  static String submit(Host host, JsonObject request) throws IOException {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(host.uri("/api/batch/runs"))
                .header("x-functions-key", MASTER_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(request.encode())));
    if (r.statusCode() != 202)
      throw new AssertionError("POST answered " + r.statusCode() + r.body());
    return new JsonObject(r.body()).getString("id");
  }

  static JsonObject run(Host host, String id) throws IOException {
    return get(host, "/api/batch/runs/" + id);
  }

  /** Waits (bounded) until the run has ended; its state. */
  static JsonObject awaitEnd(Host host, String id, Duration timeout) {
    JsonObject[] last = {null};
    Waits.until(
        () -> {
          try {
            last[0] = run(host, id);
          } catch (IOException e) {
            return false;
          }
          return !last[0].getString("status").matches("queued|running");
        },
        timeout,
        "run " + id + " to end");
    return last[0];
  }

  /**
   * This host's member name in runs' {@code members}, from its {@code /admin/cluster} entry (there
   * once the service started: at the latest on the first 5-second resume tick).
   */
  static String member(Host host) {
    String[] name = {null};
    JsonObject[] last = {null};
    try {
      Waits.until(
          () -> {
            try {
              last[0] = get(host, "/admin/cluster");
              for (Object m : last[0].getJsonArray("members", new JsonArray())) {
                JsonObject member = (JsonObject) m;
                JsonObject report =
                    member.getJsonObject("reports", new JsonObject()).getJsonObject("batchRuns");
                if (member.getBoolean("self", false) && report != null)
                  name[0] = report.getString("member");
              }
            } catch (IOException | RuntimeException e) {
              return false;
            }
            return name[0] != null;
          },
          Duration.ofSeconds(30),
          host.name() + " to report its batch member name");
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + " in " + last[0] + "; its log:\n" + host.process().tail(), e);
    }
    return name[0];
  }

  private static JsonObject get(Host host, String path) throws IOException {
    HttpResponse<String> r =
        send(HttpRequest.newBuilder(host.uri(path)).header("x-functions-key", MASTER_KEY));
    if (r.statusCode() != 200)
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    return new JsonObject(r.body());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return HTTP.send(
          request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    for (Host h : hosts) {
      if (h.process().isAlive()) h.process().stop(Duration.ofSeconds(20));
    }
    store.close();
  }
}
