package dev.veil.functions.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.runtime.spi.HostScope;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobConflictException;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * Batch runs as a service: runs are submitted, executed one at a time on a thread of their own, and
 * their state kept in storage ({@code AzureWebJobsStorage}, else the local folder {@code
 * VEIL_BATCH_DIR}, default {@code .veil/batch}), container {@code BATCH_RUNS_CONTAINER} (default
 * {@code veil-batch-runs}):
 *
 * <ul>
 *   <li>{@code <id>/run.json}: the request, status, counts and times; changed only with its ETag,
 *       so a cancel and the runner's progress never overwrite each other;
 *   <li>{@code <id>/batches/<file>/<mini-batch>}: each finished mini-batch's result lines. A run
 *       resumed after a restart ({@link #resume}) scores only the mini-batches without a record.
 * </ul>
 *
 * Outputs go to the output container as the blob trigger writes them ({@code
 * <prefix><file>.predictions.jsonl}), plus the seed's {@code <prefix>parallel_run_step.txt}: one
 * {@code file:prediction} line per scored row, in input order (rows that failed are only in the
 * JSON lines). {@code error_threshold} counts bad rows over the whole run, as ParallelRunStep does.
 */
final class BatchRuns implements AutoCloseable {
  static final Set<String> FINISHED = Set.of("succeeded", "failed", "cancelled");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ID = Pattern.compile("[a-z0-9-]{1,64}");
  private static final int HISTORY = 200;
  private static final Duration LEASE = BlobStore.MAX_LEASE;

  private final BlobStore store;
  private final String container;
  private final long maxFileBytes;
  private final ExecutorService runner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "veil-batch-runs");
            t.setDaemon(true);
            return t;
          });

  /** Runs queued or running on this host, with their cancel flags. */
  private final Map<String, AtomicBoolean> active = new ConcurrentHashMap<>();

  private volatile boolean closed;

  BatchRuns(BlobStore store, String container, long maxFileBytes) {
    this.store = store;
    this.container = container;
    this.maxFileBytes = maxFileBytes;
  }

  /** This host's batch runs, on the storage its settings name. */
  static BatchRuns of(HostScope scope) {
    return scope.shared(
        BatchRuns.class,
        s -> {
          String connection = s.settings().get("AzureWebJobsStorage", "").trim();
          if (connection.isEmpty()) {
            connection =
                BlobStores.folder(Path.of(s.settings().get("VEIL_BATCH_DIR", ".veil/batch")));
          }
          return new BatchRuns(
              BlobStores.connect(connection, AzureBlobStore.Options.DEFAULT),
              s.settings().get("BATCH_RUNS_CONTAINER", "veil-batch-runs"),
              Long.parseLong(s.settings().get("BATCH_MAX_FILE_BYTES", Long.toString(64 << 20))));
        });
  }

  /** Records a new run as queued and queues it here; its state. */
  ObjectNode submit(BatchRunRequest request) {
    if (request.files() == null
        && store.list(request.inputContainer(), request.inputPrefix(), null, 1).items().isEmpty()) {
      throw FunctionFailure.badInput(
          "input: no blobs under " + request.inputContainer() + "/" + request.inputPrefix());
    }
    String id = UUID.randomUUID().toString();
    ObjectNode run = JSON.createObjectNode().put("id", id).put("status", "queued");
    run.set("request", request.toJson());
    run.put("submitted", Instant.now().toString());
    AtomicBoolean cancel = new AtomicBoolean();
    active.put(id, cancel); // before the record exists, so resume() never starts it twice
    try {
      store.write(container, id + "/run.json", bytes(run), BlobStore.Conditions.ifNotExists());
    } catch (RuntimeException e) {
      active.remove(id);
      throw e;
    }
    runner.execute(() -> execute(id, cancel));
    return run;
  }

  ObjectNode get(String id) {
    return load(id).run();
  }

  /** A run's state and the ETag of that version, read together. */
  private record Stored(ObjectNode run, String etag) {}

  private Stored load(String id) {
    if (!ID.matcher(id).matches()) {
      throw FunctionFailure.notFound("no batch run " + id);
    }
    try (BlobStore.OpenBlob blob = store.open(container, id + "/run.json")) {
      return new Stored((ObjectNode) JSON.readTree(blob.stream()), blob.info().etag());
    } catch (BlobNotFoundException e) {
      throw FunctionFailure.notFound("no batch run " + id);
    } catch (IOException e) {
      throw new IllegalStateException("run " + id + ": unreadable state", e);
    }
  }

  /** The newest runs first (at most 200). */
  List<ObjectNode> history() {
    List<ObjectNode> runs = new ArrayList<>();
    for (String id : ids()) {
      try {
        runs.add(get(id));
      } catch (FunctionFailure e) {
        // deleted between listing and reading
      }
    }
    runs.sort(Comparator.comparing((ObjectNode r) -> r.path("submitted").asText()).reversed());
    return runs.size() > HISTORY ? runs.subList(0, HISTORY) : runs;
  }

  /** Marks a run cancelled; a running mini-batch finishes, no further one starts. */
  ObjectNode cancel(String id) {
    AtomicBoolean flag = active.get(id);
    if (flag != null) {
      flag.set(true);
    }
    while (true) {
      Stored stored = load(id);
      ObjectNode run = stored.run();
      if (FINISHED.contains(run.path("status").asText())) {
        return run;
      }
      run.put("status", "cancelled").put("ended", Instant.now().toString());
      try {
        store.write(
            container, id + "/run.json", bytes(run), BlobStore.Conditions.ifMatch(stored.etag()));
        return run;
      } catch (BlobConflictException e) {
        // the runner recorded progress meanwhile: read again
      }
    }
  }

  /** Queues here every stored run that is queued or running and not already active here. */
  int resume() {
    int started = 0;
    for (String id : ids()) {
      if (closed || active.containsKey(id)) {
        continue;
      }
      if (!FINISHED.contains(get(id).path("status").asText())) {
        AtomicBoolean cancel = new AtomicBoolean();
        if (active.putIfAbsent(id, cancel) == null) {
          runner.execute(() -> execute(id, cancel));
          started++;
        }
      }
    }
    return started;
  }

  private List<String> ids() {
    List<String> ids = new ArrayList<>();
    String continuation = null;
    do {
      BlobStore.Page page = store.list(container, "", continuation);
      page.items().stream()
          .map(BlobStore.BlobInfo::name)
          .filter(n -> n.endsWith("/run.json"))
          .map(n -> n.substring(0, n.indexOf('/')))
          .forEach(ids::add);
      continuation = page.continuation();
    } while (continuation != null);
    return ids;
  }

  private void execute(String id, AtomicBoolean cancel) {
    String lease = null;
    try {
      lease = lease(id);
      if (lease == null) {
        return; // another host runs it; this host's timer tries again after its lease lapses
      }
      new Execution(id, cancel, lease).run();
    } catch (RuntimeException e) {
      if (closed || Thread.currentThread().isInterrupted()) {
        return; // the host is stopping: the run stays running and resumes on the next start
      }
      finish(id, "failed", e.getMessage() == null ? e.toString() : e.getMessage());
    } finally {
      active.remove(id);
      if (lease != null) {
        try {
          store.releaseLease(container, id + "/lease", lease);
        } catch (RuntimeException e) {
          // it lapses by itself within LEASE
        }
      }
    }
  }

  /**
   * Takes the run's lease blob, so that one host at a time executes it (another host's resume waits
   * until the holder released it or died and it lapsed); null when another host holds it.
   */
  private String lease(String id) {
    try {
      store.write(container, id + "/lease", new byte[0], BlobStore.Conditions.ifNotExists());
    } catch (BlobConflictException e) {
      // made by an earlier attempt
    }
    return store.acquireLease(container, id + "/lease", LEASE).orElse(null);
  }

  /** Ends a run unless it already ended (a cancel wins over a later failure). */
  private void finish(String id, String status, String reason) {
    while (true) {
      Stored stored = load(id);
      ObjectNode run = stored.run();
      if (FINISHED.contains(run.path("status").asText())) {
        return;
      }
      run.put("status", status).put("ended", Instant.now().toString());
      if (reason != null) {
        run.put("reason", reason);
      }
      try {
        store.write(
            container, id + "/run.json", bytes(run), BlobStore.Conditions.ifMatch(stored.etag()));
        return;
      } catch (BlobConflictException e) {
        // changed meanwhile: read again
      }
    }
  }

  /** One run, from its stored state to the end or a cancel. */
  private final class Execution {
    private final String id;
    private final AtomicBoolean cancel;
    private final String lease;
    private long leaseRenewed = System.nanoTime();
    private ObjectNode run;
    private String etag;

    Execution(String id, AtomicBoolean cancel, String lease) {
      this.id = id;
      this.cancel = cancel;
      this.lease = lease;
    }

    void run() {
      Stored stored = load(id);
      run = stored.run();
      etag = stored.etag();
      if (FINISHED.contains(run.path("status").asText())) {
        return;
      }
      BatchRunRequest request = BatchRunRequest.of(run.get("request"));
      List<String> files = request.files() != null ? request.files() : listInput(request);
      if (run.path("status").asText().equals("queued")) {
        run.put("status", "running").put("started", Instant.now().toString());
      }
      run.put("resumes", run.path("resumes").asInt(-1) + 1);
      // Plan: the rows of every file, so progress can say "n of total".
      List<Input> inputs = new ArrayList<>();
      int total = 0;
      for (String file : files) {
        Input input = read(request.inputContainer(), file);
        inputs.add(input);
        total += input.rows().size();
      }
      int miniBatches = 0;
      for (Input input : inputs) {
        miniBatches +=
            (input.rows().size() + request.miniBatchSize() - 1) / request.miniBatchSize();
      }
      run.put("files", files.size()).put("rows_total", total);
      run.put("mini_batches_total", miniBatches);
      if (!save()) {
        return;
      }
      Set<String> recorded = new HashSet<>();
      String continuation = null;
      do {
        BlobStore.Page page = store.list(container, id + "/batches/", continuation);
        page.items().forEach(b -> recorded.add(b.name()));
        continuation = page.continuation();
      } while (continuation != null);

      BatchScorer.Settings settings =
          new BatchScorer.Settings(
              request.miniBatchSize(), 1, -1, RowScorer.model(request.model()));
      int rowsDone = 0;
      int errors = 0;
      int done = 0;
      int reused = 0;
      StringBuilder seedLines = new StringBuilder();
      try (BatchScorer scorer = new BatchScorer(settings)) {
        for (int f = 0; f < inputs.size(); f++) {
          Input input = inputs.get(f);
          StringBuilder predictions = new StringBuilder();
          List<String> rows = input.rows();
          for (int b = 0, first = 0; first < rows.size(); b++, first += request.miniBatchSize()) {
            String record = id + "/batches/" + f + "/" + b;
            String lines;
            if (recorded.contains(record)) {
              lines = new String(store.read(container, record), StandardCharsets.UTF_8);
              reused++;
            } else {
              if (cancel.get() || Thread.currentThread().isInterrupted()) {
                return;
              }
              List<String> slice =
                  rows.subList(first, Math.min(rows.size(), first + request.miniBatchSize()));
              lines =
                  scorer.scoreMiniBatch(input.name(), input.columns(), slice, first + 1).lines();
              store.write(container, record, lines.getBytes(StandardCharsets.UTF_8));
            }
            for (String line : lines.split("\n")) {
              JsonNode row = parse(line);
              rowsDone++;
              if (row.has("error")) {
                errors++;
              } else {
                seedLines.append(input.name()).append(':').append(row.get("prediction").asInt());
                seedLines.append('\n');
              }
            }
            predictions.append(lines);
            done++;
            run.put("rows_done", rowsDone).put("errors", errors).put("mini_batches_done", done);
            run.put("mini_batches_reused", reused);
            if (!save()) {
              return;
            }
            if (request.errorThreshold() >= 0 && errors > request.errorThreshold()) {
              finish(
                  id,
                  "failed",
                  errors + " bad rows exceed error_threshold " + request.errorThreshold());
              return;
            }
          }
          store.write(
              request.outputContainer(),
              request.outputPrefix() + input.name() + ".predictions.jsonl",
              predictions.toString().getBytes(StandardCharsets.UTF_8));
        }
      }
      store.write(
          request.outputContainer(),
          request.outputPrefix() + "parallel_run_step.txt",
          seedLines.toString().getBytes(StandardCharsets.UTF_8));
      finish(id, "succeeded", null);
    }

    /** Writes the state; false when it changed meanwhile to finished (a cancel): stop. */
    private boolean save() {
      if (System.nanoTime() - leaseRenewed > LEASE.toNanos() / 4) {
        store.renewLease(container, id + "/lease", lease);
        leaseRenewed = System.nanoTime();
      }
      try {
        etag =
            store.write(
                container, id + "/run.json", bytes(run), BlobStore.Conditions.ifMatch(etag));
        return true;
      } catch (BlobConflictException e) {
        ObjectNode now = get(id);
        if (FINISHED.contains(now.path("status").asText())) {
          return false;
        }
        throw new IllegalStateException("run " + id + " changed by another runner", e);
      }
    }

    private List<String> listInput(BatchRunRequest request) {
      List<String> files = new ArrayList<>();
      String continuation = null;
      do {
        BlobStore.Page page =
            store.list(request.inputContainer(), request.inputPrefix(), continuation);
        for (BlobStore.BlobInfo b : page.items()) {
          files.add(b.name());
        }
        continuation = page.continuation();
      } while (continuation != null && files.size() <= BatchRunRequest.MAX_FILES);
      if (files.isEmpty() || files.size() > BatchRunRequest.MAX_FILES) {
        throw new IllegalArgumentException(
            "input holds "
                + files.size()
                + " blobs; a run takes 1 to "
                + BatchRunRequest.MAX_FILES);
      }
      return files;
    }

    private Input read(String inContainer, String file) {
      boolean csv = BatchScorer.format(file);
      String text;
      try (BlobStore.OpenBlob blob = store.open(inContainer, file)) {
        if (blob.info().size() > maxFileBytes) {
          throw new IllegalArgumentException(
              file + " is " + blob.info().size() + " bytes; the limit is " + maxFileBytes);
        }
        text = utf8(blob.stream(), file);
      } catch (IOException e) {
        throw new IllegalStateException("reading " + file + " failed", e);
      }
      List<String> rows = new ArrayList<>();
      CsvColumns columns = csv ? CsvColumns.ALL : null;
      boolean first = true;
      for (String line : text.split("\r?\n")) {
        if (line.isBlank()) {
          continue;
        }
        if (first && csv && BatchScorer.isHeader(line)) {
          columns = CsvColumns.fromHeader(line);
        } else {
          rows.add(line);
        }
        first = false;
      }
      return new Input(file, columns, rows);
    }

    private String utf8(InputStream in, String file) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        if (out.size() > maxFileBytes) {
          throw new IllegalArgumentException(file + " is over " + maxFileBytes + " bytes");
        }
      }
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .decode(java.nio.ByteBuffer.wrap(out.toByteArray()))
            .toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new IllegalArgumentException(file + " is not UTF-8 text");
      }
    }
  }

  /** A file's data rows and, for CSV, its feature columns (null for JSON lines). */
  private record Input(String name, CsvColumns columns, List<String> rows) {}

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable mini-batch record line", e);
    }
  }

  private static byte[] bytes(ObjectNode node) {
    return node.toPrettyString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    closed = true;
    runner.shutdownNow();
    try {
      runner.awaitTermination(10, TimeUnit.SECONDS); // it releases its run's lease
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
