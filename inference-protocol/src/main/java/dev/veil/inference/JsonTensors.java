package dev.veil.inference;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Tensors in the REST API's JSON form: {@code {"name", "datatype", "shape", "parameters", "data"}}.
 */
final class JsonTensors {
  private JsonTensors() {}

  /** The shape of a JSON tensor; 400 when missing or not a list of non-negative integers. */
  static long[] shape(JsonObject tensor, String what) {
    if (!(tensor.getValue("shape") instanceof JsonArray dims))
      throw InferenceError.badRequest(what + " has no \"shape\" list");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.getValue(i) instanceof Number n)
          || n.doubleValue() != Math.rint(n.doubleValue())
          || n.longValue() < 0) {
        throw InferenceError.badRequest(
            what
                + ": shape entry "
                + i
                + " is "
                + dims.getValue(i)
                + ", not a non-negative integer");
      }
      shape[i] = n.longValue();
    }
    Tensor.elementCount(shape, what);
    return shape;
  }

  /**
   * Decodes the tensor's {@code "data"}: the elements flattened in row-major order, or nested lists
   * following the shape (both are accepted by the protocol's servers).
   */
  static Tensor decode(String name, Datatype type, long[] shape, Object data, String what) {
    if (!(data instanceof JsonArray array)) {
      throw InferenceError.badRequest(what + " has no \"data\" list (nor binary_data_size)");
    }
    long count = Tensor.elementCount(shape, what);
    List<Object> flat = new ArrayList<>((int) Math.min(count, 1 << 20));
    flatten(array, flat, count, 0, shape.length, what);
    if (flat.size() != count) {
      throw InferenceError.badRequest(
          what
              + " has shape "
              + java.util.Arrays.toString(shape)
              + " ("
              + count
              + " elements) but its data holds "
              + flat.size());
    }
    if (type == Datatype.BYTES) {
      List<byte[]> elements = new ArrayList<>(flat.size());
      for (int i = 0; i < flat.size(); i++) elements.add(Elements.utf8(flat.get(i), what, i));
      return Tensor.bytes(name, shape, elements, what);
    }
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(count * type.size)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < flat.size(); i++) Elements.put(out, type, flat.get(i), what, i);
    return Tensor.fixed(name, type, shape, out.array(), what);
  }

  private static void flatten(
      JsonArray array, List<Object> out, long limit, int depth, int rank, String what) {
    for (Object v : array) {
      if (v instanceof JsonArray nested) {
        if (depth + 1 >= Math.max(rank, 1))
          throw InferenceError.badRequest(what + ": its data nests deeper than its shape");
        flatten(nested, out, limit, depth + 1, rank, what);
      } else {
        if (out.size() >= limit)
          throw InferenceError.badRequest(
              what + ": its data holds more elements than its shape (" + limit + ")");
        out.add(v);
      }
    }
  }

  /** The elements as a flat JSON list (BYTES as UTF-8 strings). */
  static JsonArray data(Tensor tensor) {
    JsonArray out = new JsonArray();
    if (tensor.datatype() == Datatype.BYTES) {
      for (byte[] e : tensor.elements()) out.add(new String(e, StandardCharsets.UTF_8));
      return out;
    }
    ByteBuffer in = tensor.data();
    while (in.hasRemaining()) out.add(Elements.get(in, tensor.datatype()));
    return out;
  }

  static JsonArray shapeJson(long[] shape) {
    JsonArray out = new JsonArray();
    for (long d : shape) out.add(d);
    return out;
  }

  /**
   * Request or tensor {@code parameters}: an object whose values are strings, numbers or booleans.
   */
  static JsonObject parameters(Object value, String what) {
    if (value == null) return new JsonObject();
    if (!(value instanceof JsonObject p))
      throw InferenceError.badRequest(what + ": \"parameters\" must be an object");
    for (var e : p) {
      if (!(e.getValue() instanceof String
          || e.getValue() instanceof Number
          || e.getValue() instanceof Boolean)) {
        throw InferenceError.badRequest(
            what + ": parameter '" + e.getKey() + "' must be a string, number or boolean");
      }
    }
    return p;
  }
}
