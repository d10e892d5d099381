package dev.veil.inference;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.mnist.MnistLinearModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The plaintext models of Veil's functions, one row of FP64 features per sample: the breast-cancer
 * MLP and the MNIST linear model. Large batches run on a worker thread, small ones right on the
 * event loop (microseconds).
 */
final class TabularModel implements InferenceModel {
  private static final long INLINE_VALUES = 1 << 14;

  private final String name;
  private final String functionName;
  private final TensorSpec input;
  private final List<TensorSpec> outputs;
  private final int maxBatchSize;
  private final Function<double[][], List<Tensor>> run;

  private TabularModel(
      String name,
      String functionName,
      TensorSpec input,
      List<TensorSpec> outputs,
      int maxBatchSize,
      Function<double[][], List<Tensor>> run) {
    this.name = name;
    this.functionName = functionName;
    this.input = input;
    this.outputs = outputs;
    this.maxBatchSize = maxBatchSize;
    this.run = run;
  }

  /**
   * The breast-cancer MLP: 30 raw WDBC features → probabilities of (benign, malignant) and the
   * label (1: malignant).
   */
  static TabularModel breastCancer() {
    BreastCancerModel model = BreastCancerModel.bundled();
    int features = model.featureCount();
    return new TabularModel(
        "breast-cancer",
        "breast-cancer",
        new TensorSpec("features", Datatype.FP64, new long[] {-1, features}),
        List.of(
            new TensorSpec("probabilities", Datatype.FP64, new long[] {-1, 2}),
            new TensorSpec("label", Datatype.INT64, new long[] {-1})),
        1024,
        rows -> {
          BreastCancerModel.Prediction p = model.predict(rows);
          double[] probabilities = new double[rows.length * 2];
          long[] labels = new long[rows.length];
          for (int r = 0; r < rows.length; r++) {
            System.arraycopy(p.probabilities()[r], 0, probabilities, r * 2, 2);
            labels[r] = p.labels()[r];
          }
          return List.of(
              Tensor.ofDoubles("probabilities", new long[] {rows.length, 2}, probabilities),
              Tensor.ofLongs("label", new long[] {rows.length}, labels));
        });
  }

  /** The MNIST linear model: 784 pixels in [0,1] → 10 scores and the predicted digit. */
  static TabularModel mnistLinear() {
    MnistLinearModel model = MnistLinearModel.bundled();
    int classes = MnistLinearModel.CLASSES;
    return new TabularModel(
        "mnist-linear",
        "batchScoring",
        new TensorSpec("pixels", Datatype.FP64, new long[] {-1, MnistLinearModel.PIXELS}),
        List.of(
            new TensorSpec("scores", Datatype.FP64, new long[] {-1, classes}),
            new TensorSpec("digit", Datatype.INT64, new long[] {-1})),
        256,
        rows -> {
          double[] scores = new double[rows.length * classes];
          long[] digits = new long[rows.length];
          for (int r = 0; r < rows.length; r++) {
            double[] s = model.scores(rows[r]);
            System.arraycopy(s, 0, scores, r * classes, classes);
            digits[r] = MnistLinearModel.argmax(s);
          }
          return List.of(
              Tensor.ofDoubles("scores", new long[] {rows.length, classes}, scores),
              Tensor.ofLongs("digit", new long[] {rows.length}, digits));
        });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String platform() {
    return "veil_java";
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(input);
  }

  @Override
  public List<TensorSpec> outputs() {
    return outputs;
  }

  @Override
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public String functionName() {
    return functionName;
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch) {
    double[] all = inputs.get(input.name()).doubles();
    int width = all.length / batch;
    double[][] rows = new double[batch][width];
    for (int r = 0; r < batch; r++) System.arraycopy(all, r * width, rows[r], 0, width);
    if (all.length <= INLINE_VALUES) {
      try {
        return Future.succeededFuture(run.apply(rows));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(() -> run.apply(rows), false);
  }
}
