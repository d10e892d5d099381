package dev.veil.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * "all-types": one input of two elements per datatype ({@code in_FP16}, ...), echoed as {@code
 * out_FP16}, ...
 */
public final class AllTypesModel implements InferenceModel {
  @Override
  public String name() {
    return "all-types";
  }

  @Override
  public String platform() {
    return "veil_test";
  }

  @Override
  public List<TensorSpec> inputs() {
    return Arrays.stream(Datatype.values())
        .map(t -> new TensorSpec("in_" + t, t, new long[] {2}))
        .toList();
  }

  @Override
  public List<TensorSpec> outputs() {
    return Arrays.stream(Datatype.values())
        .map(t -> new TensorSpec("out_" + t, t, new long[] {2}))
        .toList();
  }

  @Override
  public int maxBatchSize() {
    return 0;
  }

  @Override
  public String functionName() {
    return "all-types";
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch) {
    List<Tensor> out = new ArrayList<>();
    for (Datatype t : Datatype.values()) {
      Tensor in = inputs.get("in_" + t);
      out.add(Tensor.fromRaw("out_" + t, t, in.shape(), in.raw(), "out_" + t));
    }
    return Future.succeededFuture(out);
  }
}
