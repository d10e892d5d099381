package dev.veil.functions.image;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.veil.fpga.SeededResNet50;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test: in one run, on this machine's CPU,
 *
 * <ol>
 *   <li>ResNet-50 (featurizer + head) through a direct ONNX Runtime session, through the pool API
 *       and through HTTP end to end, at the same batch size and intra-op threads (pool and HTTP
 *       clients send waves of that many requests together, as the direct peer runs its batches);
 *   <li>dynamic batching vs batch-1 serving under 16 concurrent clients, for ResNet-50 and the
 *       digits CNN, each with both thread layouts of a 2-core machine (one batch slot with 2
 *       intra-op threads, two slots with 1 thread each), so that each side is compared at its best;
 *   <li>what limits the batching gain: ("ceiling") plain ONNX Runtime sessions at batch 1 vs 16
 *       with 1 and 2 threads, what batching can gain on this CPU at all; ("overhead") the pool's
 *       own cost per request (digits, batch 1, one client, pool vs plain session).
 * </ol>
 *
 * Run: see BENCHMARKS.md ("Accelerator pool"). System properties: bench.batch (4), bench.threads
 * (cores), bench.images (32 per ResNet-50 measurement), bench.rounds (3), bench.digits (8000 per
 * digits measurement), bench.digitRounds (7), bench.parts (resnet,batching,digits; ceiling,overhead
 * on request).
 */
public final class ImageBenchmark {
  private static final int BATCH = Integer.getInteger("bench.batch", 4);
  private static final int THREADS =
      Integer.getInteger("bench.threads", Runtime.getRuntime().availableProcessors());
  private static final int IMAGES = Integer.getInteger("bench.images", 32);
  private static final int DIGIT_REQUESTS = Integer.getInteger("bench.digits", 8000);
  private static final int DIGIT_ROUNDS = Integer.getInteger("bench.digitRounds", 7);
  private static final List<String> PARTS =
      List.of(System.getProperty("bench.parts", "resnet,batching,digits").split(","));
  private static final int CLIENTS = 16;
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final String BATCHED = "dynamic batching (max 16)";
  private static final String SINGLE = "batch-1 serving";

  /**
   * How a worker uses the cores: {@code slots} batches at a time, {@code threads} intra-op threads
   * each.
   */
  private record Layout(int slots, int threads) {
    String label() {
      return slots
          + (slots == 1 ? " slot" : " slots")
          + " × "
          + threads
          + (threads == 1 ? " thread" : " threads");
    }
  }

  /** Both ways to use the cores: one batch at a time on all of them, or one batch per core. */
  private static final List<Layout> LAYOUTS =
      THREADS == 1
          ? List.of(new Layout(1, 1))
          : List.of(new Layout(1, THREADS), new Layout(THREADS, 1));

  private interface PoolConfig {
    JsonObject of(int maxBatch, Layout layout);
  }

  private record Result(
      String name, int requests, double seconds, double[] latenciesMs, double meanBatch) {
    double throughput() {
      return requests / seconds;
    }

    double percentile(double p) {
      double[] sorted = latenciesMs.clone();
      Arrays.sort(sorted);
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    String row() {
      return String.format(
          Locale.ROOT,
          "| %s | %d | %.2f | %.1f | %.1f | %s |",
          name,
          requests,
          throughput(),
          percentile(0.5),
          percentile(0.99),
          Double.isNaN(meanBatch) ? "—" : String.format(Locale.ROOT, "%.2f", meanBatch));
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "ResNet-50 (seeded weights), batch %d, %d intra-op threads, %d images per measurement, %d rounds, %d cores%n",
        BATCH, THREADS, IMAGES, ROUNDS, Runtime.getRuntime().availableProcessors());
    byte[] jpeg = TestImages.encode(TestImages.gradient(640, 480), "jpeg");
    float[] tensor =
        ImageTensors.resnet(ImageDecoder.decode(jpeg, ImageDecoder.DEFAULT_MAX_PIXELS));
    float[] digit = new float[28 * 28];
    Arrays.fill(digit, 0.25f);
    Vertx vertx = Vertx.vertx();
    List<List<Result>> table = new ArrayList<>();

    // Peers are measured in alternation, round after round, so that load from other processes on a
    // shared machine falls on both sides alike; each row reports its median round.
    if (PARTS.contains("resnet"))
      try (Direct direct =
              new Direct(
                  SeededResNet50.files(System::getenv).featurizer(),
                  SeededResNet50.files(System::getenv).classifier(),
                  tensor);
          Pool poolApi =
              new Pool(
                  vertx,
                  "pool API",
                  resnetConfig(BATCH, 50),
                  ImageModels.RESNET50,
                  tensor,
                  BATCH,
                  IMAGES,
                  true);
          Http http = new Http(jpeg)) {
        table.add(rounds(ROUNDS, direct::measure, poolApi::measure, http::measure));
      }
    if (PARTS.contains("batching")) {
      table.add(
          batching(
              vertx,
              "ResNet-50",
              ImageModels.RESNET50,
              tensor,
              IMAGES,
              ROUNDS,
              (maxBatch, layout) -> resnetConfig(maxBatch, maxBatch == 1 ? 0 : 50, layout)));
    }
    if (PARTS.contains("digits")) {
      table.add(
          batching(
              vertx,
              "digits CNN",
              ImageModels.DIGITS,
              digit,
              DIGIT_REQUESTS,
              DIGIT_ROUNDS,
              (maxBatch, layout) -> digitsConfig(maxBatch, maxBatch == 1 ? 0 : 1, layout)));
    }
    if (PARTS.contains("ceiling")) ceiling(tensor, digit, table);
    if (PARTS.contains("overhead")) overhead(vertx, digit, table);
    vertx.close().toCompletionStage().toCompletableFuture().get();

    System.out.println();
    System.out.println(
        "| run | requests per round | images/s (median round) | p50 ms | p99 ms | mean batch |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    table.forEach(group -> group.forEach(r -> System.out.println(r.row())));
    System.out.println();
    for (List<Result> group : table) {
      Result first = group.get(0);
      if (first.name().startsWith("direct")) {
        for (Result other : group.subList(1, group.size())) {
          System.out.printf(
              Locale.ROOT,
              "%s / %s: %.3f%n",
              other.name(),
              first.name(),
              other.throughput() / first.throughput());
        }
      } else if (group.stream().anyMatch(r -> r.name().contains(BATCHED))) {
        Result batched = best(group, BATCHED);
        Result single = best(group, SINGLE);
        System.out.printf(
            Locale.ROOT,
            "best %s / best %s: %.3f%n",
            batched.name(),
            single.name(),
            batched.throughput() / single.throughput());
      } else {
        for (int i = 0; i + 1 < group.size(); i += 2) {
          System.out.printf(
              Locale.ROOT,
              "%s / %s: %.3f (%.1f vs %.1f µs per sample)%n",
              group.get(i).name(),
              group.get(i + 1).name(),
              group.get(i).throughput() / group.get(i + 1).throughput(),
              1e6 / group.get(i).throughput(),
              1e6 / group.get(i + 1).throughput());
        }
      }
    }
    System.exit(0);
  }

  private interface Measurement {
    Result measure() throws Exception;
  }

  /**
   * Runs the measurements in alternation, round after round; per measurement, the median round's
   * throughput.
   */
  private static List<Result> rounds(int rounds, Measurement... measurements) throws Exception {
    List<List<Result>> perMeasurement = new ArrayList<>();
    for (int i = 0; i < measurements.length; i++) perMeasurement.add(new ArrayList<>());
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < measurements.length; i++) {
        Result r = measurements[i].measure();
        System.out.printf(
            Locale.ROOT, "round %d: %s: %.2f images/s%n", round, r.name(), r.throughput());
        perMeasurement.get(i).add(r);
      }
    }
    List<Result> medians = new ArrayList<>();
    for (List<Result> runs : perMeasurement) {
      List<Result> sorted = new ArrayList<>(runs);
      sorted.sort(java.util.Comparator.comparingDouble(Result::throughput));
      Result median = sorted.get(sorted.size() / 2);
      double[] all = runs.stream().flatMapToDouble(r -> Arrays.stream(r.latenciesMs())).toArray();
      medians.add(
          new Result(median.name(), median.requests(), median.seconds(), all, median.meanBatch()));
    }
    return medians;
  }

  /**
   * The peer: plain ONNX Runtime sessions, same optimisation level and threads, batches of BATCH.
   */
  private static final class Direct implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    private final OrtSession featurizer;
    private final OrtSession head;
    private final float[] batch;

    Direct(Path featurizerFile, Path headFile, float[] tensor) throws Exception {
      options.setIntraOpNumThreads(THREADS);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      featurizer = env.createSession(featurizerFile.toString(), options);
      head = env.createSession(headFile.toString(), options);
      batch = new float[BATCH * tensor.length];
      for (int i = 0; i < BATCH; i++)
        System.arraycopy(tensor, 0, batch, i * tensor.length, tensor.length);
      for (int i = 0; i < 2; i++) runDirect(env, featurizer, head, batch);
    }

    Result measure() throws Exception {
      int batches = IMAGES / BATCH;
      double[] latencies = new double[batches * BATCH];
      long start = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        long t0 = System.nanoTime();
        runDirect(env, featurizer, head, batch);
        Arrays.fill(latencies, b * BATCH, (b + 1) * BATCH, (System.nanoTime() - t0) / 1e6);
      }
      return new Result(
          "direct ONNX Runtime session",
          batches * BATCH,
          (System.nanoTime() - start) / 1e9,
          latencies,
          BATCH);
    }

    @Override
    public void close() throws Exception {
      featurizer.close();
      head.close();
      options.close();
    }
  }

  private static void runDirect(OrtEnvironment env, OrtSession f, OrtSession h, float[] batch)
      throws Exception {
    try (OnnxTensor in =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), new long[] {BATCH, 3, 224, 224});
        OrtSession.Result features = f.run(Map.of("image", in));
        OrtSession.Result logits = h.run(Map.of("features", (OnnxTensor) features.get(0)))) {
      if (((OnnxTensor) logits.get(0)).getFloatBuffer().remaining() != BATCH * 1000)
        throw new IllegalStateException();
    }
  }

  /**
   * 16 closed-loop clients, dynamic batching (max 16) vs batch-1 serving, each in every layout; the
   * ratio printed is best against best.
   */
  private static List<Result> batching(
      Vertx vertx,
      String label,
      String family,
      float[] input,
      int total,
      int rounds,
      PoolConfig config)
      throws Exception {
    List<Pool> pools = new ArrayList<>();
    try {
      for (int maxBatch : new int[] {16, 1}) {
        for (Layout layout : LAYOUTS) {
          pools.add(
              new Pool(
                  vertx,
                  label
                      + ", 16 clients, "
                      + (maxBatch == 1 ? SINGLE : BATCHED)
                      + ", "
                      + layout.label(),
                  config.of(maxBatch, layout),
                  family,
                  input,
                  CLIENTS,
                  total));
        }
      }
      return rounds(
          rounds, pools.stream().map(p -> (Measurement) p::measure).toArray(Measurement[]::new));
    } finally {
      for (Pool p : pools) p.close();
    }
  }

  private static Result best(List<Result> group, String marker) {
    return group.stream()
        .filter(r -> r.name().contains(marker))
        .max(java.util.Comparator.comparingDouble(Result::throughput))
        .orElseThrow();
  }

  /**
   * Plain ONNX Runtime sessions at batch 16 vs batch 1: what batching can gain on this CPU at all.
   */
  private static void ceiling(float[] tensor, float[] digit, List<List<Result>> table)
      throws Exception {
    byte[] resnet = Files.readAllBytes(SeededResNet50.files(System::getenv).featurizer());
    byte[] digits = digitsModel();
    for (int threads : new java.util.TreeSet<>(List.of(1, THREADS))) {
      String t = threads + (threads == 1 ? " thread" : " threads");
      try (Plain b16 =
              new Plain(
                  "ResNet-50 featurizer, plain session, batch 16, " + t,
                  resnet,
                  tensor,
                  16,
                  threads,
                  IMAGES);
          Plain b1 =
              new Plain(
                  "ResNet-50 featurizer, plain session, batch 1, " + t,
                  resnet,
                  tensor,
                  1,
                  threads,
                  IMAGES)) {
        table.add(rounds(ROUNDS, b16::measure, b1::measure));
      }
      try (Plain b16 =
              new Plain(
                  "digits CNN, plain session, batch 16, " + t,
                  digits,
                  digit,
                  16,
                  threads,
                  DIGIT_REQUESTS);
          Plain b1 =
              new Plain(
                  "digits CNN, plain session, batch 1, " + t,
                  digits,
                  digit,
                  1,
                  threads,
                  DIGIT_REQUESTS)) {
        table.add(rounds(DIGIT_ROUNDS, b16::measure, b1::measure));
      }
    }
  }

  /** The pool's cost per request on top of a plain session: digits, batch 1, one client. */
  private static void overhead(Vertx vertx, float[] digit, List<List<Result>> table)
      throws Exception {
    byte[] digits = digitsModel();
    Layout one = new Layout(1, 1);
    try (Pool pool =
            new Pool(
                vertx,
                "digits CNN through the pool, 1 client, batch 1, " + one.label(),
                digitsConfig(1, 0, one),
                ImageModels.DIGITS,
                digit,
                1,
                DIGIT_REQUESTS);
        Plain plain =
            new Plain(
                "digits CNN, plain session, batch 1, 1 thread",
                digits,
                digit,
                1,
                1,
                DIGIT_REQUESTS)) {
      table.add(rounds(DIGIT_ROUNDS, pool::measure, plain::measure));
    }
  }

  private static byte[] digitsModel() throws java.io.IOException {
    try (java.io.InputStream in =
        ImageBenchmark.class.getResourceAsStream("/models/image/digits-cnn.onnx")) {
      return in.readAllBytes();
    }
  }

  /**
   * A plain ONNX Runtime session run in a loop on one thread, input in a direct buffer made once.
   */
  private static final class Plain implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    private final String name;
    private final OrtSession session;
    private final String input;
    private final long[] shape;
    private final FloatBuffer data;
    private final int batch;
    private final int total;

    Plain(String name, byte[] model, float[] sample, int batch, int threads, int total)
        throws Exception {
      this.name = name;
      this.batch = batch;
      this.total = total;
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(model, options);
      input = session.getInputNames().iterator().next();
      shape = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
      shape[0] = batch;
      data =
          ByteBuffer.allocateDirect(batch * sample.length * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      for (int i = 0; i < batch; i++) data.put(sample);
      data.rewind();
      for (int i = 0; i < 3; i++) runOnce();
    }

    private void runOnce() throws Exception {
      try (OnnxTensor t = OnnxTensor.createTensor(env, data, shape);
          OrtSession.Result r = session.run(Map.of(input, t))) {
        if (r.size() != 1) throw new IllegalStateException("expected one output");
      }
    }

    Result measure() throws Exception {
      int batches = total / batch;
      double[] latencies = new double[batches * batch];
      long start = System.nanoTime();
      for (int b = 0; b < batches; b++) {
        long t0 = System.nanoTime();
        runOnce();
        Arrays.fill(latencies, b * batch, (b + 1) * batch, (System.nanoTime() - t0) / 1e6);
      }
      return new Result(name, batches * batch, (System.nanoTime() - start) / 1e9, latencies, batch);
    }

    @Override
    public void close() throws Exception {
      session.close();
      options.close();
    }
  }

  private static JsonObject resnetConfig(int maxBatch, double delayMs) {
    return resnetConfig(maxBatch, delayMs, new Layout(1, THREADS));
  }

  private static JsonObject resnetConfig(int maxBatch, double delayMs, Layout layout) {
    return new JsonObject()
        .put(
            "models",
            new JsonObject()
                .put(
                    ImageModels.RESNET50,
                    new JsonObject()
                        .put("class", "heavy-image")
                        .put("accelerator", "cpu")
                        .put("path", SeededResNet50.files(System::getenv).featurizer().toString())
                        .put("maxBatchSize", maxBatch)
                        .put("maxQueueDelayMs", delayMs)
                        .put("timeoutMs", 600_000))
                .put(
                    ImageModels.RESNET50_HEAD,
                    new JsonObject()
                        .put("class", "light")
                        .put("path", SeededResNet50.files(System::getenv).classifier().toString())))
        .put("workers", workers(layout));
  }

  private static JsonArray workers(Layout layout) {
    return new JsonArray()
        .add(
            new JsonObject()
                .put("device", "cpu")
                .put("count", 1)
                .put("capacity", layout.slots())
                .put("threads", layout.threads()));
  }

  private static JsonObject digitsConfig(int maxBatch, double delayMs, Layout layout) {
    return new JsonObject()
        .put(
            "models",
            new JsonObject()
                .put(
                    ImageModels.DIGITS,
                    new JsonObject()
                        .put("class", "heavy-image")
                        .put("accelerator", "cpu")
                        .put("path", "classpath:models/image/digits-cnn.onnx")
                        .put("maxBatchSize", maxBatch)
                        .put("maxQueueDelayMs", delayMs)
                        .put("queueCapacity", 1024)))
        .put("workers", workers(layout));
  }

  /**
   * {@code clients} closed-loop callers of the pool API, {@code total} requests per measurement.
   */
  private static final class Pool implements AutoCloseable {
    private final String name;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ImageModels models;
    private final float[] input;
    private final int clients;
    private final int total;
    private final boolean waves;

    Pool(
        Vertx vertx,
        String name,
        JsonObject config,
        String family,
        float[] input,
        int clients,
        int total)
        throws Exception {
      this(vertx, name, config, family, input, clients, total, false);
    }

    /**
     * With {@code waves}, the clients submit together and wait for each other, as the direct peer's
     * batches.
     */
    Pool(
        Vertx vertx,
        String name,
        JsonObject config,
        String family,
        float[] input,
        int clients,
        int total,
        boolean waves)
        throws Exception {
      this.waves = waves;
      this.name = name;
      this.models = ImageModels.start(vertx, config, family, registry);
      this.input = input;
      this.clients = clients;
      this.total = total;
      closedLoop(clients, Math.max(clients, total / 4), i -> models.classifyTensor(input));
    }

    Result measure() throws Exception {
      DistributionSummary sizes = registry.get("veil.pool.batch.size").summary();
      double samplesBefore = sizes.totalAmount();
      long batchesBefore = sizes.count();
      long start = System.nanoTime();
      Call call = i -> models.classifyTensor(input);
      double[] latencies = waves ? waves(clients, total, call) : closedLoop(clients, total, call);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(
          name,
          total,
          seconds,
          latencies,
          (sizes.totalAmount() - samplesBefore) / (sizes.count() - batchesBefore));
    }

    @Override
    public void close() throws Exception {
      models.router().close().toCompletionStage().toCompletableFuture().get();
    }
  }

  /**
   * HTTP end to end: the classify-image function in a Veil host, BATCH concurrent clients posting a
   * JPEG.
   */
  private static final class Http implements AutoCloseable {
    private final VeilHost host;
    private final Call call;

    Http(byte[] jpeg) throws Exception {
      Path config = Files.createTempFile("veil-bench-pool", ".json");
      Files.writeString(
          config, new JsonObject().put(ImageModels.RESNET50, resnetConfig(BATCH, 50)).encode());
      host =
          VeilHost.start(
                  new HostOptions()
                      .port(0)
                      .functionClass(ImageFunctions.class)
                      .setting(ImageModels.POOL_CONFIG, config.toString())
                      .dataDirectory(Files.createTempDirectory("veil-bench-host"))
                      .hostJson(
                          new JsonObject().put("veil", new JsonObject().put("workerPoolSize", 32))))
              .toCompletionStage()
              .toCompletableFuture()
              .get(300, TimeUnit.SECONDS);
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + host.port() + "/api/classify-image"))
              .timeout(Duration.ofMinutes(10))
              .header("Content-Type", "image/jpeg")
              .POST(HttpRequest.BodyPublishers.ofByteArray(jpeg))
              .build();
      call =
          i -> {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200)
              throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            return null;
          };
      closedLoop(BATCH, BATCH * 2, call);
    }

    Result measure() throws Exception {
      long start = System.nanoTime();
      double[] latencies = waves(BATCH, IMAGES, call);
      return new Result(
          "HTTP end to end (POST /api/classify-image)",
          IMAGES,
          (System.nanoTime() - start) / 1e9,
          latencies,
          Double.NaN);
    }

    @Override
    public void close() throws Exception {
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private interface Call {
    Object run(int i) throws Exception;
  }

  /** {@code width} requests at a time, sent together; the next wave when all have returned. */
  private static double[] waves(int width, int total, Call call) throws Exception {
    double[] latencies = new double[total];
    ExecutorService pool = Executors.newFixedThreadPool(width);
    try {
      for (int start = 0; start < total; start += width) {
        List<Future<?>> wave = new ArrayList<>();
        for (int i = start; i < Math.min(total, start + width); i++) {
          int index = i;
          wave.add(
              pool.submit(
                  () -> {
                    long t0 = System.nanoTime();
                    call.run(index);
                    latencies[index] = (System.nanoTime() - t0) / 1e6;
                    return null;
                  }));
        }
        for (Future<?> f : wave) f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return latencies;
  }

  /**
   * Each client issues its next request when its previous one returned; returns every latency in
   * ms.
   */
  private static double[] closedLoop(int clients, int total, Call call) throws Exception {
    double[] latencies = new double[total];
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        running.add(
            pool.submit(
                () -> {
                  for (int i = client; i < total; i += clients) {
                    long t0 = System.nanoTime();
                    call.run(i);
                    latencies[i] = (System.nanoTime() - t0) / 1e6;
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) f.get();
    } finally {
      pool.shutdownNow();
    }
    return latencies;
  }
}
