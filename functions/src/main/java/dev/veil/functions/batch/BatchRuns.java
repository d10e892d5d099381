package dev.veil.functions.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.runtime.spi.HostScope;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobConflictException;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 *   <li>{@code <id>/batches/<file>/<mini-batch>}: each finished mini-batch's result lines, after a
 *       header line naming the member that scored it. A run resumed after a restart ({@link
 *       #resume}) scores only the mini-batches without a record;
 *   <li>{@code <id>/claims/<file>/<mini-batch>}: a blob whose lease is a member's claim on that
 *       mini-batch while it scores it.
 * </ul>
 *
 * In a cluster the mini-batches of one run spread over the members: the host holding the run's
 * lease (the coordinator) announces the run on the cluster broadcasts, and every member (the
 * coordinator too, on a worker thread of its own; see {@link BatchRunHelpers}) claims mini-batches
 * without a record, scores and records them; the coordinator follows the records, keeps the run's
 * state and writes the outputs, and announces the run again every {@value #ANNOUNCE_SECONDS} s
 * while records are missing (for members that joined or restarted since). A member that dies
 * mid-mini-batch leaves a claim that lapses within {@link BlobStore#MIN_LEASE}, and another member
 * scores that mini-batch again: at least once, and since a record is keyed by its mini-batch, every
 * row lands in the outputs exactly once.
 *
 * <p>Outputs go to the output container as the blob trigger writes them ({@code
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
  private static final Duration CLAIM = BlobStore.MIN_LEASE;

  /** The broadcast address on which a coordinator announces a run with mini-batches to score. */
  static final String ANNOUNCE = "veil.batch.runs";

  private static final String REPORT = "batchRuns";
  private static final long FOLLOW_MILLIS = 250;
  private static final int ANNOUNCE_SECONDS = 5;

  private final BlobStore store;
  private final String container;
  private final long maxFileBytes;
  private final Consumer<String> announce;

  /** This member's name in runs' {@code members} (also in its {@code /admin/cluster} entry). */
  private final String member = "m-" + UUID.randomUUID().toString().substring(0, 8);

  private final ExecutorService runner = daemon("veil-batch-runs");

  /** Scores mini-batches, for runs coordinated here or elsewhere. */
  private final ExecutorService worker = daemon("veil-batch-work");

  /** Runs queued or running on this host, with their cancel flags. */
  private final Map<String, AtomicBoolean> active = new ConcurrentHashMap<>();

  /** Runs whose mini-batches this host's worker scores or is queued to score. */
  private final Set<String> working = ConcurrentHashMap.newKeySet();

  private final AtomicLong scored = new AtomicLong();
  private volatile boolean closed;
  private volatile Runnable onClose = () -> {};

  /**
   * @param announce publishes a run id to every member (see {@link #help})
   */
  BatchRuns(BlobStore store, String container, long maxFileBytes, Consumer<String> announce) {
    this.store = store;
    this.container = container;
    this.maxFileBytes = maxFileBytes;
    this.announce = announce;
  }

  private static ExecutorService daemon(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
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
          BatchRuns runs =
              new BatchRuns(
                  BlobStores.connect(connection, AzureBlobStore.Options.DEFAULT),
                  s.settings().get("BATCH_RUNS_CONTAINER", "veil-batch-runs"),
                  Long.parseLong(s.settings().get("BATCH_MAX_FILE_BYTES", Long.toString(64 << 20))),
                  id -> s.broadcasts().publish(ANNOUNCE, id));
          runs.onClose = () -> s.nodeReports().unregister(REPORT);
          s.nodeReports()
              .register(
                  REPORT,
                  () ->
                      Future.succeededFuture(
                          new JsonObject()
                              .put("member", runs.member)
                              .put("mini_batches_scored", runs.scored.get())));
          return runs;
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
        // another host coordinates it: score its mini-batches here too; this host's timer tries
        // the lease again, and takes the run over once the coordinator's lease lapses
        help(id);
        return;
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
  /** One run coordinated here, from its stored state to the end or a cancel. */
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
      run.put("resumes", run.path("resumes").asInt(-1) + 1).put("coordinator", member);
      // Plan: the rows of every file, so progress can say "n of total".
      List<Input> inputs = new ArrayList<>();
      int total = 0;
      for (String file : files) {
        Input input = read(request.inputContainer(), file);
        inputs.add(input);
        total += input.rows().size();
      }
      Plan plan = new Plan(id, request, inputs);
      run.put("files", files.size()).put("rows_total", total);
      run.put("mini_batches_total", plan.size());
      plan.describe(run);
      if (!save()) {
        return;
      }
      // The mini-batches recorded so far, then those the members record, in the plan's order.
      String[] lines = new String[plan.size()];
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < plan.size(); i++) {
        index.put(plan.record(i), i);
      }
      Map<String, String> scoredHere = new ConcurrentHashMap<>();
      List<Integer> found = follow(index, lines, scoredHere);
      int reused = found.size();
      Map<String, Integer> members = new TreeMap<>();
      int rowsDone = 0;
      int errors = 0;
      int done = 0;
      long announced = System.nanoTime();
      if (reused < plan.size()) {
        work(new Work(plan, cancel, scoredHere));
        announce.accept(id);
      }
      while (true) {
        if (System.nanoTime() - announced > TimeUnit.SECONDS.toNanos(ANNOUNCE_SECONDS)) {
          announce.accept(id);
          announced = System.nanoTime();
        }
        for (int i : found) {
          Scored s = Scored.parse(lines[i]);
          lines[i] = s.lines();
          members.merge(s.member(), 1, Integer::sum);
          rowsDone += s.rows();
          errors += s.errors();
          done++;
        }
        if (!found.isEmpty()) {
          run.put("rows_done", rowsDone).put("errors", errors).put("mini_batches_done", done);
          run.put("mini_batches_reused", reused);
          ObjectNode byMember = run.putObject("members");
          members.forEach(byMember::put);
          if (!save()) {
            cancel.set(true);
            return;
          }
        } else {
          renewLease();
        }
        if (request.errorThreshold() >= 0 && errors > request.errorThreshold()) {
          cancel.set(true);
          finish(
              id,
              "failed",
              errors + " bad rows exceed error_threshold " + request.errorThreshold());
          return;
        }
        if (done == lines.length) {
          break;
        }
        if (cancel.get()) {
          return;
        }
        try {
          Thread.sleep(FOLLOW_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        found = follow(index, lines, scoredHere);
      }
      StringBuilder seedLines = new StringBuilder();
      for (int f = 0, i = 0; f < inputs.size(); f++) {
        Input input = inputs.get(f);
        StringBuilder predictions = new StringBuilder();
        for (int b = 0; b < plan.miniBatches(f); b++, i++) {
          predictions.append(lines[i]);
          for (String line : lines[i].split("\n")) {
            JsonNode row = parse(line);
            if (!row.has("error")) {
              seedLines.append(input.name()).append(':').append(row.get("prediction").asInt());
              seedLines.append('\n');
            }
          }
        }
        store.write(
            request.outputContainer(),
            request.outputPrefix() + input.name() + ".predictions.jsonl",
            predictions.toString().getBytes(StandardCharsets.UTF_8));
      }
      store.write(
          request.outputContainer(),
          request.outputPrefix() + "parallel_run_step.txt",
          seedLines.toString().getBytes(StandardCharsets.UTF_8));
      finish(id, "succeeded", null);
    }

    /**
     * Fills in the records that appeared since the last call (from {@code scoredHere} when this
     * host's worker made them, else from storage); the mini-batches it filled in.
     */
    private List<Integer> follow(
        Map<String, Integer> index, String[] lines, Map<String, String> scoredHere) {
      List<Integer> found = new ArrayList<>();
      String continuation = null;
      do {
        BlobStore.Page page = store.list(container, id + "/batches/", continuation);
        for (BlobStore.BlobInfo b : page.items()) {
          Integer i = index.get(b.name());
          if (i != null && lines[i] == null) {
            String here = scoredHere.remove(b.name());
            lines[i] =
                here != null
                    ? here
                    : new String(store.read(container, b.name()), StandardCharsets.UTF_8);
            found.add(i);
          }
        }
        continuation = page.continuation();
      } while (continuation != null);
      return found;
    }

    /** Writes the state; false when it changed meanwhile to finished (a cancel): stop. */
    private boolean save() {
      renewLease();
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

    private void renewLease() {
      if (System.nanoTime() - leaseRenewed > LEASE.toNanos() / 4) {
        store.renewLease(container, id + "/lease", lease);
        leaseRenewed = System.nanoTime();
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

  /** Scores the mini-batches of a run coordinated on another member, on this host's worker. */
  void help(String id) {
    if (closed || !ID.matcher(id).matches() || !working.add(id)) {
      return;
    }
    submitWork(
        id,
        () -> {
          Plan plan = plan(id);
          if (plan != null) {
            new Work(plan, new AtomicBoolean(), null).run();
          }
        });
  }

  /** Queues the coordinator's own share of the work. */
  private void work(Work work) {
    if (working.add(work.plan.id)) {
      submitWork(work.plan.id, work);
    }
  }

  private void submitWork(String id, Runnable work) {
    try {
      worker.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              // the storage failed or the run changed under it: the coordinator and the next
              // resume tick carry on (a claim held here lapses)
            } finally {
              working.remove(id);
            }
          });
    } catch (RejectedExecutionException e) {
      working.remove(id); // the host is closing
    }
  }

  /** A running run's plan as its coordinator stored it; null when it is finished or unplanned. */
  private Plan plan(String id) {
    ObjectNode run = get(id);
    if (FINISHED.contains(run.path("status").asText()) || !run.has("input_rows")) {
      return null;
    }
    List<String> names = new ArrayList<>();
    run.get("inputs").forEach(name -> names.add(name.asText()));
    int[] rows = new int[names.size()];
    for (int f = 0; f < rows.length; f++) {
      rows[f] = run.get("input_rows").get(f).asInt();
    }
    return new Plan(
        id, BatchRunRequest.of(run.get("request")), names, rows, new Input[rows.length]);
  }

  /**
   * A run's mini-batches, numbered in input order: file by file, rows in order. A member other than
   * the coordinator reads an input file only when it first scores one of its mini-batches.
   */
  private final class Plan {
    final String id;
    final BatchRunRequest request;
    private final List<String> names;
    private final int[] rowCounts;
    private final Input[] inputs;
    private final int[] file;
    private final int[] first;

    /** The coordinator's, over the inputs it read. */
    Plan(String id, BatchRunRequest request, List<Input> inputs) {
      this(
          id,
          request,
          inputs.stream().map(Input::name).toList(),
          inputs.stream().mapToInt(in -> in.rows().size()).toArray(),
          inputs.toArray(new Input[0]));
    }

    Plan(String id, BatchRunRequest request, List<String> names, int[] rowCounts, Input[] inputs) {
      this.id = id;
      this.request = request;
      this.names = names;
      this.rowCounts = rowCounts;
      this.inputs = inputs;
      List<int[]> batches = new ArrayList<>();
      for (int f = 0; f < rowCounts.length; f++) {
        for (int r = 0; r < rowCounts[f]; r += request.miniBatchSize()) {
          batches.add(new int[] {f, r});
        }
      }
      file = batches.stream().mapToInt(b -> b[0]).toArray();
      first = batches.stream().mapToInt(b -> b[1]).toArray();
    }

    /** Records the plan in the run's state, for the members that join it. */
    void describe(ObjectNode run) {
      ArrayNode files = run.putArray("inputs");
      names.forEach(files::add);
      ArrayNode rows = run.putArray("input_rows");
      for (int n : rowCounts) {
        rows.add(n);
      }
    }

    int size() {
      return file.length;
    }

    int miniBatches(int f) {
      return (rowCounts[f] + request.miniBatchSize() - 1) / request.miniBatchSize();
    }

    /** Mini-batch {@code i}'s record: {@code <id>/batches/<file>/<n-th of the file>}. */
    String record(int i) {
      return id + "/batches/" + file[i] + "/" + first[i] / request.miniBatchSize();
    }

    String claim(int i) {
      return id + "/claims/" + file[i] + "/" + first[i] / request.miniBatchSize();
    }

    /** Input file {@code f}, read on first use (by one thread: its member's worker). */
    Input input(int f) {
      if (inputs[f] == null) {
        Input read = read(request.inputContainer(), names.get(f));
        if (read.rows().size() != rowCounts[f]) {
          throw new IllegalStateException(names.get(f) + " changed since the run was planned");
        }
        inputs[f] = read;
      }
      return inputs[f];
    }

    List<String> rows(int i) {
      List<String> rows = input(file[i]).rows();
      return rows.subList(first[i], Math.min(rows.size(), first[i] + request.miniBatchSize()));
    }
  }

  /**
   * One member's share of a run: passes over the mini-batches without a record, each claimed,
   * scored and recorded, until every one has a record or the run stops. Members start their passes
   * at random places, so that they rarely reach for the same claim.
   */
  private final class Work implements Runnable {
    private final Plan plan;
    private final AtomicBoolean cancel;
    private final Map<String, String> scoredHere;
    private long checked = System.nanoTime();

    /**
     * @param scoredHere where the coordinator's own worker leaves its records' content, so the
     *     coordinator need not read them back; null on other members
     */
    Work(Plan plan, AtomicBoolean cancel, Map<String, String> scoredHere) {
      this.plan = plan;
      this.cancel = cancel;
      this.scoredHere = scoredHere;
    }

    @Override
    public void run() {
      BatchScorer.Settings settings =
          new BatchScorer.Settings(
              plan.request.miniBatchSize(), 1, -1, RowScorer.model(plan.request.model()));
      try (BatchScorer scorer = new BatchScorer(settings)) {
        while (!stopped()) {
          Set<String> recorded = new HashSet<>();
          String continuation = null;
          do {
            BlobStore.Page page = store.list(container, plan.id + "/batches/", continuation);
            page.items().forEach(b -> recorded.add(b.name()));
            continuation = page.continuation();
          } while (continuation != null);
          List<Integer> missing = new ArrayList<>();
          for (int i = 0; i < plan.size(); i++) {
            if (!recorded.contains(plan.record(i))) {
              missing.add(i);
            }
          }
          if (missing.isEmpty()) {
            return;
          }
          int start = ThreadLocalRandom.current().nextInt(missing.size());
          boolean scoredAny = false;
          for (int k = 0; k < missing.size() && !stopped(); k++) {
            scoredAny |= scoreClaimed(scorer, missing.get((start + k) % missing.size()));
          }
          if (!scoredAny) {
            Thread.sleep(1000); // the rest is claimed by others: wait for records or lapsed claims
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Scores and records mini-batch {@code i} if this member gets its claim; whether it did. */
    private boolean scoreClaimed(BatchScorer scorer, int i) {
      String claim = plan.claim(i);
      String lease = claim(claim);
      if (lease == null) {
        return false;
      }
      try {
        String record = plan.record(i);
        try {
          store.properties(container, record);
          return false; // recorded since the pass listed the records
        } catch (BlobNotFoundException e) {
          // still to do
        }
        Input input = plan.input(plan.file[i]);
        String lines =
            scorer
                .scoreMiniBatch(input.name(), input.columns(), plan.rows(i), plan.first[i] + 1)
                .lines();
        String content = Scored.header(member) + lines;
        if (scoredHere != null) {
          scoredHere.put(record, content);
        }
        try {
          store.write(container, record, content.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
          if (scoredHere != null) {
            scoredHere.remove(record);
          }
          throw e;
        }
        scored.incrementAndGet();
        return true;
      } finally {
        try {
          store.releaseLease(container, claim, lease);
        } catch (RuntimeException e) {
          // lapsed meanwhile (a slow mini-batch): another member may score it again, harmlessly
        }
      }
    }

    /** Takes a mini-batch's claim; null while another member holds it. */
    private String claim(String name) {
      try {
        return store.acquireLease(container, name, CLAIM).orElse(null);
      } catch (BlobNotFoundException e) {
        try {
          store.write(container, name, new byte[0], BlobStore.Conditions.ifNotExists());
        } catch (BlobConflictException made) {
          // another member made it first
        }
        return store.acquireLease(container, name, CLAIM).orElse(null);
      }
    }

    /** Whether to stop: closing, interrupted, cancelled, or (checked each second) run finished. */
    private boolean stopped() {
      if (closed || Thread.currentThread().isInterrupted() || cancel.get()) {
        return true;
      }
      if (System.nanoTime() - checked > TimeUnit.SECONDS.toNanos(1)) {
        checked = System.nanoTime();
        if (FINISHED.contains(get(plan.id).path("status").asText())) {
          cancel.set(true);
        }
      }
      return cancel.get();
    }
  }

  /** A mini-batch record: the member that scored it (a header line), then its result lines. */
  private record Scored(String member, String lines, int rows, int errors) {
    static String header(String member) {
      return JSON.createObjectNode().put("member", member).toString() + "\n";
    }

    static Scored parse(String record) {
      String member = "unknown"; // recorded before runs spread over members
      String lines = record;
      int newline = record.indexOf('\n');
      if (newline > 0) {
        JsonNode first = BatchRuns.parse(record.substring(0, newline));
        if (first.has("member")) {
          member = first.get("member").asText();
          lines = record.substring(newline + 1);
        }
      }
      int rows = 0;
      int errors = 0;
      for (String line : lines.split("\n")) {
        if (!line.isEmpty()) {
          rows++;
          errors += BatchRuns.parse(line).has("error") ? 1 : 0;
        }
      }
      return new Scored(member, lines, rows, errors);
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
    onClose.run();
    runner.shutdownNow();
    worker.shutdownNow();
    try {
      // they release their run's lease and their claim
      runner.awaitTermination(10, TimeUnit.SECONDS);
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
  }
}
