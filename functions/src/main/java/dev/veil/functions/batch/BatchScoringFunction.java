package dev.veil.functions.batch;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import dev.veil.functions.StandaloneScope;
import dev.veil.runtime.spi.HostScope;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Batch scoring: a CSV or JSON-lines file dropped into {@code batch-input} is scored row by row
 * (see {@link BatchScorer}); {@code batch-output/<name>.predictions.jsonl} gets one JSON line per
 * row and {@code batch-output/<name>.summary.json} the rows, errors and duration. A file over the
 * error threshold gets only the summary, marked failed, with the first errors. A file that cannot
 * be read at all (not UTF-8, unknown type) fails the call and ends as a poison record after the
 * blob trigger's attempts.
 */
public class BatchScoringFunction {

  private final BatchScorer scorer;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public BatchScoringFunction() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: one scorer per host, configured by its app settings. */
  public BatchScoringFunction(HostScope scope) {
    this.scorer =
        scope.shared(
            BatchScorer.class,
            s ->
                new BatchScorer(
                    BatchScorer.Settings.from(name -> s.settings().get(name).orElse(null))));
  }

  @FunctionName("batchScoring")
  public void score(
      @BlobTrigger(name = "file", path = "batch-input/{name}", dataType = "binary")
          InputStream file,
      @BindingName("name") String name,
      @BlobOutput(
              name = "predictions",
              path = "batch-output/{name}.predictions.jsonl",
              dataType = "binary")
          OutputBinding<byte[]> predictions,
      @BlobOutput(name = "summary", path = "batch-output/{name}.summary.json")
          OutputBinding<String> summary,
      ExecutionContext context) {
    BatchScorer.Result result = scorer.score(name, file, rows -> {});
    if (result.succeeded()) {
      predictions.setValue(result.predictions().getBytes(StandardCharsets.UTF_8));
    }
    summary.setValue(result.summaryJson());
    context
        .getLogger()
        .info(
            name
                + ": "
                + result.rows()
                + " rows, "
                + result.errors()
                + " errors, "
                + (result.succeeded() ? "scored" : "failed (error_threshold)"));
  }
}
