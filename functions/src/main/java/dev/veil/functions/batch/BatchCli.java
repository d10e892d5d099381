package dev.veil.functions.batch;

import dev.veil.runtime.spi.CliCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code veil batch <file|dir> [options]}: batch scoring on local files, for users without storage.
 * Writes {@code <name>.predictions.jsonl} and {@code <name>.summary.json} per input into the output
 * folder and shows a progress bar on the terminal. Exit code 0 when every file was scored, 1 when
 * some file failed, 2 on bad arguments.
 */
public final class BatchCli implements CliCommand {
  private static final String USAGE =
      "veil batch <file|dir> [--function auto|breast-cancer|mnist] [--out DIR] "
          + "[--mini-batch-size N] [--parallelism N] [--error-threshold N]";
  private static final int BAR = 30;

  @Override
  public String name() {
    return "batch";
  }

  @Override
  public String usage() {
    return USAGE;
  }

  /**
   * For running without the veil launcher: {@code java -cp ... dev.veil.functions.batch.BatchCli
   * ...}.
   */
  public static void main(String[] args) {
    System.exit(new BatchCli().run(List.of(args), System.out, System.err));
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    Path input = null;
    Path outDir = null;
    // A command of its own process: its environment holds the defaults the options override.
    BatchScorer.Settings defaults = BatchScorer.Settings.from(System::getenv);
    int miniBatch = defaults.miniBatchSize();
    int parallelism = defaults.parallelism();
    int threshold = defaults.errorThreshold();
    RowScorer.Model model = defaults.model();
    BatchScorer.Settings settings;
    List<Path> files;
    if (args.contains("--help") || args.contains("-h")) {
      out.println("usage: " + USAGE);
      out.println("   or: " + BatchHostCli.USAGE);
      return 0;
    }
    if (args.contains("--host")) {
      return new BatchHostCli(System.getenv("VEIL_FUNCTION_KEY")).run(args, out, err);
    }
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (!a.startsWith("--")) {
          if (input != null) {
            throw new IllegalArgumentException(
                "only one input file or folder, got '" + input + "' and '" + a + "'");
          }
          input = Path.of(a);
          continue;
        }
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args.get(++i);
        switch (a) {
          case "--function" -> model = RowScorer.model(v);
          case "--out" -> outDir = Path.of(v);
          case "--mini-batch-size" -> miniBatch = number(a, v);
          case "--parallelism" -> parallelism = number(a, v);
          case "--error-threshold" -> threshold = number(a, v);
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
      if (input == null) {
        throw new IllegalArgumentException("name a file or a folder to score");
      }
      if (!Files.exists(input)) {
        throw new IllegalArgumentException(input + " does not exist");
      }
      settings = new BatchScorer.Settings(miniBatch, parallelism, threshold, model);
      files = inputs(input);
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            input + " holds no .csv, .jsonl, .ndjson or .json files");
      }
    } catch (IllegalArgumentException e) {
      err.println("veil batch: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    Path target =
        outDir != null
            ? outDir
            : (Files.isDirectory(input) ? input : input.toAbsolutePath().getParent());
    return score(files, target, settings, out, err);
  }

  private static int score(
      List<Path> files,
      Path target,
      BatchScorer.Settings settings,
      PrintStream out,
      PrintStream err) {
    long total = files.stream().mapToLong(BatchCli::lines).sum();
    Progress progress = new Progress(total, System.console() != null, err);
    int failed = 0;
    try (BatchScorer scorer = new BatchScorer(settings)) {
      Files.createDirectories(target);
      for (Path file : files) {
        String name = file.getFileName().toString();
        long before = progress.done;
        try (InputStream in = Files.newInputStream(file)) {
          BatchScorer.Result result =
              scorer.score(name, in, rows -> progress.show(before + rows, name));
          progress.show(before + result.rows(), name);
          if (result.succeeded()) {
            Files.writeString(
                target.resolve(name + ".predictions.jsonl"),
                result.predictions(),
                StandardCharsets.UTF_8);
          } else {
            failed++;
          }
          Files.writeString(
              target.resolve(name + ".summary.json"), result.summaryJson(), StandardCharsets.UTF_8);
          progress.line(
              name
                  + ": "
                  + result.rows()
                  + " rows, "
                  + result.errors()
                  + " errors, "
                  + (result.succeeded()
                      ? "scored"
                      : "FAILED (more than " + settings.errorThreshold() + " bad rows)")
                  + " in "
                  + result.duration().toMillis()
                  + " ms");
        } catch (IllegalArgumentException e) {
          failed++;
          progress.line(name + ": FAILED: " + e.getMessage());
        }
      }
    } catch (IOException e) {
      err.println("veil batch: " + e.getMessage());
      return 1;
    }
    progress.finish();
    out.println(
        "veil batch: "
            + (files.size() - failed)
            + " of "
            + files.size()
            + " files scored; outputs in "
            + target);
    return failed == 0 ? 0 : 1;
  }

  static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number, got '" + value + "'");
    }
  }

  private static List<Path> inputs(Path input) {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    try (Stream<Path> files = Files.list(input)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
                return n.endsWith(".csv")
                    || n.endsWith(".jsonl")
                    || n.endsWith(".ndjson")
                    || n.endsWith(".json");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long lines(Path file) {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
      return lines.count(); // an upper bound (headers, blank lines) is fine for a progress bar
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  /** A one-line progress bar redrawn in place on a terminal; plain per-file lines otherwise. */
  static final class Progress {
    private final long total;
    private final boolean terminal;
    private final PrintStream err;
    long done;

    Progress(long total, boolean terminal, PrintStream err) {
      this.total = Math.max(1, total);
      this.terminal = terminal;
      this.err = err;
    }

    void show(long rows, String file) {
      done = rows;
      if (!terminal) {
        return;
      }
      int filled = (int) Math.min(BAR, BAR * rows / total);
      err.print(
          "\r["
              + "#".repeat(filled)
              + "-".repeat(BAR - filled)
              + "] "
              + String.format("%3d%%", Math.min(100, 100 * rows / total))
              + " "
              + rows
              + " rows  "
              + file
              + "   ");
      err.flush();
    }

    void line(String text) {
      err.println((terminal ? "\r" : "") + text + (terminal ? " ".repeat(20) : ""));
    }

    void finish() {
      if (terminal) {
        show(done, "done");
        err.println();
      }
    }
  }
}
