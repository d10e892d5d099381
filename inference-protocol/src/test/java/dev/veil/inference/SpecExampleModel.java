package dev.veil.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * "mymodel" of the protocol specification's examples (input0 UINT32 [2,2], input1 BOOL [3]), so
 * those requests run verbatim: output0 is input0 as FP32 plus 0.5, output1 is input1 negated.
 */
public final class SpecExampleModel implements InferenceModel {
  @Override
  public String name() {
    return "mymodel";
  }

  @Override
  public String platform() {
    return "veil_test";
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(
        new TensorSpec("input0", Datatype.UINT32, new long[] {2, 2}),
        new TensorSpec("input1", Datatype.BOOL, new long[] {3}));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(
        new TensorSpec("output0", Datatype.FP32, new long[] {2, 2}),
        new TensorSpec("output1", Datatype.BOOL, new long[] {3}));
  }

  @Override
  public int maxBatchSize() {
    return 0;
  }

  @Override
  public String functionName() {
    return "mymodel";
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch) {
    ByteBuffer in0 = inputs.get("input0").data();
    float[] out0 = new float[4];
    for (int i = 0; i < 4; i++) out0[i] = Integer.toUnsignedLong(in0.getInt()) + 0.5f;
    byte[] in1 = inputs.get("input1").raw();
    byte[] out1 = new byte[in1.length];
    for (int i = 0; i < in1.length; i++) out1[i] = (byte) (in1[i] == 0 ? 1 : 0);
    return Future.succeededFuture(
        List.of(
            Tensor.ofFloats("output0", new long[] {2, 2}, out0),
            Tensor.fixed("output1", Datatype.BOOL, new long[] {3}, out1, "output1")));
  }
}
