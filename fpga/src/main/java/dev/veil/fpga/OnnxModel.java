package dev.veil.fpga;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session for a model with a single float input and a single float output whose
 * first dimension is the batch. Runs a batch of samples synchronously: call it off the event loop.
 */
public final class OnnxModel implements AutoCloseable {
  private final String name;
  private final OrtSession session;
  private final String inputName;
  private final long[] sampleShape;
  private final int sampleSize;

  private OnnxModel(String name, OrtSession session) throws OrtException {
    this.name = name;
    this.session = session;
    if (session.getNumInputs() != 1 || session.getNumOutputs() < 1) {
      throw new IllegalArgumentException("model '" + name + "' must have exactly one input");
    }
    Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
    this.inputName = input.getKey();
    long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
    this.sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
    long size = 1;
    for (long d : sampleShape) {
      if (d <= 0)
        throw new IllegalArgumentException(
            "model '" + name + "': only the batch dimension may be dynamic");
      size *= d;
    }
    this.sampleSize = Math.toIntExact(size);
  }

  /** Creates the session with the backend's execution provider. */
  public static OnnxModel load(ModelSpec spec, ExecutionBackend backend) {
    byte[] bytes = spec.readModel();
    try (OrtSession.SessionOptions options = backend.sessionOptions()) {
      return new OnnxModel(
          spec.name(), OrtEnvironment.getEnvironment().createSession(bytes, options));
    } catch (OrtException e) {
      throw new IllegalArgumentException(
          "model '" + spec.name() + "' could not be loaded: " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  /** Number of floats in one input sample (e.g. 3*224*224). */
  public int sampleSize() {
    return sampleSize;
  }

  public long[] sampleShape() {
    return sampleShape.clone();
  }

  /** Runs the samples as one batch and returns one output row per sample. */
  public List<float[]> run(List<float[]> samples) {
    int n = samples.size();
    FloatBuffer flat =
        ByteBuffer.allocateDirect(n * sampleSize * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (float[] s : samples) {
      if (s.length != sampleSize) {
        throw PoolException.badInput(
            "model '" + name + "' expects " + sampleSize + " values per sample, got " + s.length);
      }
      flat.put(s);
    }
    flat.rewind();
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = n;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, flat, shape);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
      int rowSize = out.remaining() / n;
      float[][] rows = new float[n][rowSize];
      for (float[] row : rows) out.get(row);
      return Arrays.asList(rows);
    } catch (OrtException e) {
      throw new IllegalStateException("model '" + name + "' failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }
}
