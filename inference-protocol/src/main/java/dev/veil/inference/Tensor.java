package dev.veil.inference;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One tensor of a request or response. Fixed-size elements are held as the protocol's binary form
 * (little-endian, row-major), so binary and raw contents pass through without conversion; BYTES
 * elements as a list of byte strings.
 */
public final class Tensor {
  /**
   * Elements one tensor may have, whatever its encoding: bounds the memory a decoded request takes.
   */
  public static final long MAX_ELEMENTS = 1L << 26;

  private final String name;
  private final Datatype datatype;
  private final long[] shape;
  private final byte[] data; // fixed-size datatypes
  private final List<byte[]> elements; // BYTES
  private JsonObject parameters = new JsonObject();

  private Tensor(String name, Datatype datatype, long[] shape, byte[] data, List<byte[]> elements) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
    this.data = data;
    this.elements = elements;
  }

  /**
   * A tensor of a fixed-size datatype from its little-endian bytes; 400 when their length does not
   * fit the shape.
   */
  public static Tensor fixed(
      String name, Datatype datatype, long[] shape, byte[] data, String what) {
    long count = elementCount(shape, what);
    if ((long) data.length != count * datatype.size) {
      throw InferenceError.badRequest(
          what
              + " has shape "
              + Arrays.toString(shape)
              + " of "
              + datatype
              + " ("
              + count
              + " elements of "
              + datatype.size
              + " bytes = "
              + count * datatype.size
              + " bytes) but carries "
              + data.length
              + " bytes");
    }
    return new Tensor(name, datatype, shape, data, null);
  }

  public static Tensor bytes(String name, long[] shape, List<byte[]> elements, String what) {
    long count = elementCount(shape, what);
    if (elements.size() != count) {
      throw InferenceError.badRequest(
          what
              + " has shape "
              + Arrays.toString(shape)
              + " ("
              + count
              + " elements) but carries "
              + elements.size()
              + " BYTES elements");
    }
    return new Tensor(name, Datatype.BYTES, shape, null, elements);
  }

  /**
   * A tensor from the protocol's binary form (the binary data extension, gRPC raw contents):
   * fixed-size elements little-endian; each BYTES element a 4-byte little-endian length and that
   * many bytes.
   */
  public static Tensor fromRaw(
      String name, Datatype datatype, long[] shape, byte[] raw, String what) {
    if (datatype != Datatype.BYTES) return fixed(name, datatype, shape, raw, what);
    long count = elementCount(shape, what);
    List<byte[]> out = new ArrayList<>();
    ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      if (in.remaining() < 4 || out.size() >= count) {
        throw InferenceError.badRequest(
            what
                + ": its binary BYTES data does not hold "
                + count
                + " length-prefixed elements exactly ("
                + raw.length
                + " bytes)");
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw InferenceError.badRequest(
            what
                + ": BYTES element "
                + out.size()
                + " claims "
                + Integer.toUnsignedString(length)
                + " bytes but only "
                + in.remaining()
                + " follow");
      }
      byte[] element = new byte[length];
      in.get(element);
      out.add(element);
    }
    return bytes(name, shape, out, what);
  }

  public static Tensor ofFloats(String name, long[] shape, float[] values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.asFloatBuffer().put(values);
    return fixed(name, Datatype.FP32, shape, out.array(), name);
  }

  public static Tensor ofDoubles(String name, long[] shape, double[] values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    out.asDoubleBuffer().put(values);
    return fixed(name, Datatype.FP64, shape, out.array(), name);
  }

  public static Tensor ofLongs(String name, long[] shape, long[] values) {
    ByteBuffer out = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    out.asLongBuffer().put(values);
    return fixed(name, Datatype.INT64, shape, out.array(), name);
  }

  /**
   * The product of the dimensions; 400 for a negative dimension or more than {@link #MAX_ELEMENTS}.
   */
  public static long elementCount(long[] shape, String what) {
    long count = 1;
    for (long d : shape) {
      if (d < 0)
        throw InferenceError.badRequest(
            what + " has shape " + Arrays.toString(shape) + ": dimensions must not be negative");
      if (d != 0 && count > MAX_ELEMENTS / d) {
        throw InferenceError.badRequest(
            what
                + " has shape "
                + Arrays.toString(shape)
                + ": more than "
                + MAX_ELEMENTS
                + " elements, the most this server accepts in one tensor");
      }
      count *= d;
    }
    return count;
  }

  public String name() {
    return name;
  }

  public Datatype datatype() {
    return datatype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long elementCount() {
    return elementCount(shape, name);
  }

  public JsonObject parameters() {
    return parameters;
  }

  public Tensor parameters(JsonObject parameters) {
    this.parameters = parameters == null ? new JsonObject() : parameters;
    return this;
  }

  /** Little-endian element bytes (fixed-size datatypes). */
  public ByteBuffer data() {
    return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
  }

  public List<byte[]> elements() {
    return elements;
  }

  /** The binary form (see {@link #fromRaw}). */
  public byte[] raw() {
    if (data != null) return data;
    int total = 0;
    for (byte[] e : elements) total += 4 + e.length;
    ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) out.putInt(e.length).put(e);
    return out.array();
  }

  public float[] floats() {
    float[] out = new float[data.length / 4];
    data().asFloatBuffer().get(out);
    return out;
  }

  public double[] doubles() {
    double[] out = new double[data.length / 8];
    data().asDoubleBuffer().get(out);
    return out;
  }
}
