package dev.veil.functions.batch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Batch scoring of one file, the shape of the seed's ParallelRunStep: rows are read as a stream,
 * grouped into mini-batches of {@code miniBatchSize}, scored on up to {@code parallelism} threads,
 * and their results appended row by row, in input order, as JSON lines {@code {"file": ..., "row":
 * n, "prediction": p}} ({@code "error": reason} instead of {@code "prediction"} for a row that does
 * not parse or score). The seed's {@code file:prediction} lines could not tell a file named {@code
 * x:error:y.csv} from an error; JSON strings can hold any name. More than {@code errorThreshold}
 * bad rows (-1: no limit) fail the file. CSV ({@code .csv}, a non-numeric first line is a header;
 * {@link CsvColumns} drops the id and label columns it names) and JSON lines ({@code .jsonl},
 * {@code .ndjson}, {@code .json}) are read; anything else, or text that is not UTF-8, is an {@link
 * IllegalArgumentException}.
 */
public final class BatchScorer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_ERROR_SAMPLES = 20;

  /** How files are scored; {@link #from} reads them from app settings. */
  public record Settings(
      int miniBatchSize, int parallelism, int errorThreshold, RowScorer.Model model) {
    public Settings {
      if (miniBatchSize < 1 || parallelism < 1 || errorThreshold < -1) {
        throw new IllegalArgumentException(
            "mini_batch_size and parallelism must be at least 1, error_threshold at " + "least -1");
      }
    }

    /**
     * {@code BATCH_MINI_BATCH_SIZE} (default 100), {@code BATCH_PARALLELISM} (2), {@code
     * BATCH_ERROR_THRESHOLD} (10; -1 = no limit), {@code BATCH_MODEL} (auto), each read through
     * {@code settings} (null when unset).
     */
    public static Settings from(UnaryOperator<String> settings) {
      return new Settings(
          integer(settings, "BATCH_MINI_BATCH_SIZE", 100),
          integer(settings, "BATCH_PARALLELISM", 2),
          integer(settings, "BATCH_ERROR_THRESHOLD", 10),
          RowScorer.model(setting(settings, "BATCH_MODEL", "auto")));
    }

    private static String setting(UnaryOperator<String> settings, String name, String fallback) {
      String value = settings.apply(name);
      return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int integer(UnaryOperator<String> settings, String name, int fallback) {
      String value = setting(settings, name, Integer.toString(fallback));
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "setting " + name + " must be an integer, got '" + value + "'");
      }
    }
  }

  /** The outcome for one file: the prediction lines (null when the file failed) and its summary. */
  public record Result(
      String file,
      boolean succeeded,
      int rows,
      int errors,
      Duration duration,
      String predictions,
      List<String> firstErrors,
      Settings settings) {

    /** {@code {"file", "status", "rows", "errors", "durationMs", ...}} */
    public String summaryJson() {
      ObjectNode s = JSON.createObjectNode();
      s.put("file", file);
      s.put("status", succeeded ? "succeeded" : "failed");
      s.put("rows", rows);
      s.put("errors", errors);
      s.put("durationMs", duration.toMillis());
      s.put("miniBatchSize", settings.miniBatchSize());
      s.put("parallelism", settings.parallelism());
      s.put("errorThreshold", settings.errorThreshold());
      if (!succeeded) {
        s.put("reason", errors + " bad rows exceed error_threshold " + settings.errorThreshold());
      }
      firstErrors.forEach(s.putArray("firstErrors")::add);
      return s.toPrettyString();
    }
  }

  private final Settings settings;
  private final RowScorer scorer;
  private final ExecutorService pool;

  public BatchScorer(Settings settings) {
    this.settings = settings;
    this.scorer = new RowScorer(settings.model());
    this.pool =
        Executors.newFixedThreadPool(
            settings.parallelism(),
            r -> {
              Thread t = new Thread(r, "veil-batch-scoring");
              t.setDaemon(true);
              return t;
            });
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Scores a file.
   *
   * @param file the name written in front of each result line
   * @param progress told the number of rows finished so far, after each mini-batch
   */
  public Result score(String file, InputStream content, IntConsumer progress) {
    long started = System.nanoTime();
    boolean csv = format(file);
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    StringBuilder out = new StringBuilder();
    Deque<Future<RowResult[]>> pending = new ArrayDeque<>();
    int[] counts = new int[2]; // rows, errors
    List<String> firstErrors = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(content, decoder))) {
      List<String> batch = new ArrayList<>(settings.miniBatchSize());
      boolean first = true;
      CsvColumns columns = CsvColumns.ALL;
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.isBlank() || (first && csv && isHeader(line))) {
          if (!line.isBlank()) {
            columns = CsvColumns.fromHeader(line);
          }
          first = false;
          continue;
        }
        first = false;
        batch.add(line);
        if (batch.size() == settings.miniBatchSize()) {
          submit(file, csv ? columns : null, batch, pending);
          batch = new ArrayList<>(settings.miniBatchSize());
          // Bounded look-ahead: at most two mini-batches per thread wait in memory.
          while (pending.size() > 2 * settings.parallelism()) {
            if (!append(file, pending.poll(), out, counts, firstErrors, progress)) {
              return failed(file, counts, firstErrors, started);
            }
          }
        }
      }
      if (!batch.isEmpty()) {
        submit(file, csv ? columns : null, batch, pending);
      }
      while (!pending.isEmpty()) {
        if (!append(file, pending.poll(), out, counts, firstErrors, progress)) {
          return failed(file, counts, firstErrors, started);
        }
      }
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + " is not UTF-8 text");
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + " failed", e);
    } finally {
      pending.forEach(f -> f.cancel(true));
    }
    return new Result(
        file,
        true,
        counts[0],
        counts[1],
        Duration.ofNanos(System.nanoTime() - started),
        out.toString(),
        firstErrors,
        settings);
  }

  private Result failed(String file, int[] counts, List<String> firstErrors, long started) {
    return new Result(
        file,
        false,
        counts[0],
        counts[1],
        Duration.ofNanos(System.nanoTime() - started),
        null,
        firstErrors,
        settings);
  }

  /** {@code columns}: the CSV's feature columns, null for JSON lines. */
  private void submit(
      String file, CsvColumns columns, List<String> lines, Deque<Future<RowResult[]>> pending) {
    pending.add(pool.submit(() -> scoreRows(columns, lines)));
  }

  private RowResult[] scoreRows(CsvColumns columns, List<String> lines) {
    RowResult[] results = new RowResult[lines.size()];
    for (int i = 0; i < results.length; i++) {
      try {
        double[] row =
            columns != null ? columns.features(lines.get(i)) : RowScorer.parseJson(lines.get(i));
        results[i] = new RowResult(scorer.predict(row), null);
      } catch (IllegalArgumentException e) {
        results[i] = new RowResult(0, String.valueOf(e.getMessage()));
      }
    }
    return results;
  }

  /** One scored mini-batch: its output lines (as {@link #score} writes them) and its bad rows. */
  record MiniBatch(String lines, int errors) {}

  /**
   * Scores one mini-batch on the calling thread (the batch service's unit of work and of resume);
   * {@code columns}: the CSV's feature columns, null for JSON lines; rows are numbered from {@code
   * firstRow}.
   */
  MiniBatch scoreMiniBatch(String file, CsvColumns columns, List<String> lines, int firstRow) {
    RowResult[] results = scoreRows(columns, lines);
    StringBuilder out = new StringBuilder();
    int errors = 0;
    for (int i = 0; i < results.length; i++) {
      errors += results[i].error() == null ? 0 : 1;
      out.append(line(file, firstRow + i, results[i])).append('\n');
    }
    return new MiniBatch(out.toString(), errors);
  }

  /** One row's prediction, or why it has none ({@code error} not null). */
  private record RowResult(int prediction, String error) {}

  /** The output line of row {@code row} (1-based) of {@code file}. */
  private static String line(String file, int row, RowResult result) {
    ObjectNode line = JSON.createObjectNode().put("file", file).put("row", row);
    if (result.error() == null) {
      line.put("prediction", result.prediction());
    } else {
      line.put("error", result.error());
    }
    return line.toString();
  }

  /** Appends a finished mini-batch; false once the errors exceed the threshold. */
  private boolean append(
      String file,
      Future<RowResult[]> batch,
      StringBuilder out,
      int[] counts,
      List<String> firstErrors,
      IntConsumer progress) {
    RowResult[] results;
    try {
      results = batch.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("scoring a mini-batch failed", e.getCause());
    }
    for (RowResult result : results) {
      counts[0]++;
      if (result.error() != null) {
        counts[1]++;
        if (firstErrors.size() < MAX_ERROR_SAMPLES) {
          firstErrors.add("row " + counts[0] + ": " + result.error());
        }
      }
      out.append(line(file, counts[0], result)).append('\n');
    }
    progress.accept(counts[0]);
    return settings.errorThreshold() < 0 || counts[1] <= settings.errorThreshold();
  }

  /** True for CSV, false for JSON lines; any other type is an IllegalArgumentException. */
  static boolean format(String file) {
    String lower = file.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".csv")) {
      return true;
    }
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
      return false;
    }
    throw new IllegalArgumentException(
        file + ": unsupported file type; use .csv, .jsonl, .ndjson or .json");
  }

  static boolean isHeader(String line) {
    String cell = line.split(",", 2)[0].trim();
    try {
      Double.parseDouble(cell);
      return false;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
