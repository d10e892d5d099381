package dev.veil.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * A model served over the protocol. Inputs reach {@link #infer} already checked against {@link
 * #inputs()} (names, datatypes, shapes, batch size); a model whose first dimension is -1 takes a
 * batch of 1..{@link #maxBatchSize()} samples along it.
 */
public interface InferenceModel {
  String name();

  /** The one version served. */
  default String version() {
    return "1";
  }

  /** What runs the model, as the protocol's metadata names it (e.g. {@code onnxruntime_onnx}). */
  String platform();

  List<TensorSpec> inputs();

  List<TensorSpec> outputs();

  int maxBatchSize();

  /** The Veil function serving the same model: its function keys also grant this model. */
  String functionName();

  /** Whether the model can take requests now. */
  boolean ready();

  /**
   * Readies the model for requests (the repository's load: an accelerator pool model starts its
   * pool); called on the event loop, must not block it.
   */
  default Future<Void> load(Vertx vertx) {
    return Future.succeededFuture();
  }

  /** Releases what the model holds (the repository's unload); must not block the event loop. */
  default Future<Void> unload(Vertx vertx) {
    return Future.succeededFuture();
  }

  /** Runs the model on {@code batch} samples; called on the event loop, must not block it. */
  Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch);
}
