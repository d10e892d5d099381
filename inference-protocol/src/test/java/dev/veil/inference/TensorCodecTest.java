package dev.veil.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorCodecTest {
  /** Each datatype's extremes (and awkward values), in JSON. */
  static final Map<Datatype, String> EXTREMES =
      Map.ofEntries(
          Map.entry(Datatype.BOOL, "[true, false, true]"),
          Map.entry(Datatype.INT8, "[-128, 127, 0]"),
          Map.entry(Datatype.UINT8, "[0, 255, 7]"),
          Map.entry(Datatype.INT16, "[-32768, 32767, -1]"),
          Map.entry(Datatype.UINT16, "[0, 65535, 1]"),
          Map.entry(Datatype.INT32, "[-2147483648, 2147483647, 3.0]"),
          Map.entry(Datatype.UINT32, "[0, 4294967295, 2]"),
          Map.entry(Datatype.INT64, "[-9223372036854775808, 9223372036854775807, 5]"),
          Map.entry(Datatype.UINT64, "[0, 18446744073709551615, 9223372036854775808]"),
          Map.entry(Datatype.FP16, "[1.5, -65504, 0.000000059604645]"),
          Map.entry(Datatype.FP32, "[0.5, -2.75, 3.4028234663852886E38]"),
          Map.entry(Datatype.FP64, "[0.1, -1e300, 4.9E-324]"),
          Map.entry(Datatype.BYTES, "[\"hello\", \"w\u00f6rld\", \"\"]"));

  @Test
  void everyDatatypeSurvivesJsonToBinaryAndBack() {
    for (Datatype type : Datatype.values()) {
      JsonArray data = new JsonArray(EXTREMES.get(type));
      Tensor fromJson = JsonTensors.decode("t", type, new long[] {3}, data, type.name());
      Tensor fromRaw = Tensor.fromRaw("t", type, new long[] {3}, fromJson.raw(), type.name());
      assertSameElements(data, JsonTensors.data(fromRaw), type);
    }
  }

  @Test
  void binaryFormIsLittleEndian() {
    Tensor t =
        JsonTensors.decode(
            "t", Datatype.UINT32, new long[] {2}, new JsonArray("[1, 4294967295]"), "t");
    assertArrayEquals(new byte[] {1, 0, 0, 0, -1, -1, -1, -1}, t.raw());
    Tensor s =
        JsonTensors.decode(
            "s", Datatype.BYTES, new long[] {2}, new JsonArray("[\"ab\", \"\"]"), "s");
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0}, s.raw());
    Tensor h =
        JsonTensors.decode("h", Datatype.FP16, new long[] {2}, new JsonArray("[1.0, -2.0]"), "h");
    assertArrayEquals(new byte[] {0x00, 0x3c, 0x00, (byte) 0xc0}, h.raw());
  }

  @Test
  void nestedDataFollowsTheShape() {
    Tensor flat =
        JsonTensors.decode(
            "t", Datatype.INT32, new long[] {2, 2}, new JsonArray("[1, 2, 3, 4]"), "t");
    Tensor nested =
        JsonTensors.decode(
            "t", Datatype.INT32, new long[] {2, 2}, new JsonArray("[[1, 2], [3, 4]]"), "t");
    assertArrayEquals(flat.raw(), nested.raw());
    assertRefused(
        "nests deeper",
        () ->
            JsonTensors.decode(
                "t", Datatype.INT32, new long[] {4}, new JsonArray("[[1, 2], [3, 4]]"), "t"));
  }

  @Test
  void halfPrecisionRoundsToNearestEven() {
    for (float f :
        new float[] {0f, -0f, 1f, 65504f, 6.1035156e-5f, 5.9604645e-8f, 0.333251953125f}) {
      assertEquals(f, Elements.fromHalf(Elements.toHalf(f)), "exactly representable: " + f);
    }
    assertEquals(Float.POSITIVE_INFINITY, Elements.fromHalf(Elements.toHalf(70000f)));
    assertEquals(
        1f,
        Elements.fromHalf(Elements.toHalf(1.00048828125f)),
        "halfway between 1 and the next half rounds to even");
    assertEquals(
        1.001953125f,
        Elements.fromHalf(Elements.toHalf(1.00146484375f)),
        "halfway above an odd half rounds up, to even");
    assertTrue(Float.isNaN(Elements.fromHalf(Elements.toHalf(Float.NaN))));
  }

  @Test
  void valuesOutsideTheirDatatypeAreRefused() {
    assertRefused("outside the range of UINT8", () -> decode(Datatype.UINT8, "[256]"));
    assertRefused("outside the range of INT8", () -> decode(Datatype.INT8, "[-129]"));
    assertRefused(
        "outside the range of UINT64", () -> decode(Datatype.UINT64, "[18446744073709551616]"));
    assertRefused("outside the range of UINT32", () -> decode(Datatype.UINT32, "[-1]"));
    assertRefused("needs an integer", () -> decode(Datatype.INT32, "[1.5]"));
    assertRefused("needs true or false", () -> decode(Datatype.BOOL, "[1]"));
    assertRefused("needs a number", () -> decode(Datatype.FP32, "[\"1\"]"));
    assertRefused("needs a string", () -> decode(Datatype.BYTES, "[1]"));
    assertRefused("does not define", () -> Datatype.of("FP8", "input 'x'"));
  }

  @Test
  void sizesMustMatchTheShape() {
    assertRefused(
        "but its data holds 2",
        () -> JsonTensors.decode("t", Datatype.FP32, new long[] {3}, new JsonArray("[1, 2]"), "t"));
    assertRefused(
        "more elements than its shape",
        () -> JsonTensors.decode("t", Datatype.FP32, new long[] {1}, new JsonArray("[1, 2]"), "t"));
    assertRefused(
        "carries 7 bytes",
        () -> Tensor.fromRaw("t", Datatype.FP32, new long[] {2}, new byte[7], "t"));
    assertRefused("must not be negative", () -> Tensor.elementCount(new long[] {2, -1}, "t"));
    assertRefused("more than", () -> Tensor.elementCount(new long[] {1L << 20, 1L << 20}, "t"));
    byte[] overlong =
        ByteBuffer.allocate(6)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(100)
            .put((byte) 'a')
            .put((byte) 'b')
            .array();
    assertRefused(
        "claims 100 bytes",
        () -> Tensor.fromRaw("t", Datatype.BYTES, new long[] {1}, overlong, "t"));
    byte[] two =
        ByteBuffer.allocate(10)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(1)
            .put((byte) 'a')
            .putInt(1)
            .put((byte) 'b')
            .array();
    assertRefused(
        "does not hold 1", () -> Tensor.fromRaw("t", Datatype.BYTES, new long[] {1}, two, "t"));
    assertEquals(
        List.of("a", "b"),
        Tensor.fromRaw("t", Datatype.BYTES, new long[] {2}, two, "t").elements().stream()
            .map(b -> new String(b, StandardCharsets.UTF_8))
            .toList());
  }

  private static Tensor decode(Datatype type, String json) {
    return JsonTensors.decode("t", type, new long[] {1}, new JsonArray(json), "t");
  }

  static void assertRefused(String reason, Runnable action) {
    InferenceError e = assertThrows(InferenceError.class, action::run);
    assertEquals(400, e.httpStatus());
    assertTrue(
        e.getMessage().contains(reason),
        () -> "'" + e.getMessage() + "' should say '" + reason + "'");
  }

  /** Same elements, numbers compared by value (3.0 and 3, 1e300 and 1.0E300 are the same). */
  static void assertSameElements(JsonArray expected, JsonArray actual, Object what) {
    assertEquals(expected.size(), actual.size(), () -> what + ": " + actual);
    for (int i = 0; i < expected.size(); i++) {
      Object e = expected.getValue(i);
      Object a = actual.getValue(i);
      if (e instanceof Number en
          && a instanceof Number an
          && (what == Datatype.FP32 || what == Datatype.FP16)) {
        assertEquals(
            en.floatValue(),
            an.floatValue(),
            what + " element " + i); // a float prints as its shortest form
      } else if (e instanceof Number en && a instanceof Number an) {
        assertEquals(
            0,
            new BigDecimal(en.toString()).compareTo(new BigDecimal(an.toString())),
            what + " element " + i + ": " + e + " vs " + a);
      } else {
        assertEquals(e, a, what + " element " + i);
      }
    }
  }
}
