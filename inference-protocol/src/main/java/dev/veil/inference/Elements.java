package dev.veil.inference;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Converts single tensor elements between JSON (or protobuf) values and the binary form, checking
 * ranges.
 */
final class Elements {
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private Elements() {}

  /**
   * Writes one JSON element ({@code Boolean}, {@code Number} or {@code String}) of {@code type};
   * 400 when it does not fit.
   */
  static void put(ByteBuffer out, Datatype type, Object value, String what, long index) {
    switch (type) {
      case BOOL -> {
        if (!(value instanceof Boolean b)) throw wrong(what, index, value, "true or false");
        out.put((byte) (b ? 1 : 0));
      }
      case FP16, FP32, FP64 -> {
        if (!(value instanceof Number n)) throw wrong(what, index, value, "a number");
        double d = n.doubleValue();
        if (type == Datatype.FP64) out.putDouble(d);
        else if (type == Datatype.FP32) out.putFloat((float) d);
        else out.putShort(toHalf((float) d));
      }
      case BYTES -> throw new IllegalStateException("BYTES elements are not fixed-size");
      default -> putInteger(out, type, integer(value, what, index), what, index);
    }
  }

  /** Writes an integer of an integer {@code type}; 400 when outside its range. */
  static void putInteger(ByteBuffer out, Datatype type, BigInteger v, String what, long index) {
    BigInteger min =
        type.unsigned() ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(type.size * 8 - 1).negate();
    BigInteger max =
        type == Datatype.UINT64
            ? UINT64_MAX
            : type.unsigned()
                ? BigInteger.ONE.shiftLeft(type.size * 8).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(type.size * 8 - 1).subtract(BigInteger.ONE);
    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      throw InferenceError.badRequest(
          what
              + ": element "
              + index
              + " is "
              + v
              + ", outside the range of "
              + type
              + " ("
              + min
              + " to "
              + max
              + ")");
    }
    long bits =
        v.longValue(); // two's complement low bits: right for UINT64 above Long.MAX_VALUE too
    switch (type.size) {
      case 1 -> out.put((byte) bits);
      case 2 -> out.putShort((short) bits);
      case 4 -> out.putInt((int) bits);
      default -> out.putLong(bits);
    }
  }

  /**
   * Reads one element as a JSON value: Boolean, Long, BigInteger (UINT64 above Long.MAX_VALUE),
   * Float, Double.
   */
  static Object get(ByteBuffer in, Datatype type) {
    return switch (type) {
      case BOOL -> in.get() != 0;
      case INT8 -> (long) in.get();
      case UINT8 -> (long) Byte.toUnsignedInt(in.get());
      case INT16 -> (long) in.getShort();
      case UINT16 -> (long) Short.toUnsignedInt(in.getShort());
      case INT32 -> (long) in.getInt();
      case UINT32 -> Integer.toUnsignedLong(in.getInt());
      case INT64 -> in.getLong();
      case UINT64 -> {
        long v = in.getLong();
        yield v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
      }
      case FP16 -> fromHalf(in.getShort());
      case FP32 -> in.getFloat();
      case FP64 -> in.getDouble();
      case BYTES -> throw new IllegalStateException("BYTES elements are not fixed-size");
    };
  }

  static byte[] utf8(Object value, String what, long index) {
    if (!(value instanceof String s)) throw wrong(what, index, value, "a string");
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static BigInteger integer(Object value, String what, long index) {
    if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      return BigInteger.valueOf(((Number) value).longValue());
    }
    if (value instanceof BigInteger b) return b;
    if (value instanceof Number n) { // 3.0 is an integer; 3.5 is not
      try {
        return new BigDecimal(n.toString()).toBigIntegerExact();
      } catch (ArithmeticException | NumberFormatException e) {
        throw wrong(what, index, value, "an integer");
      }
    }
    throw wrong(what, index, value, "an integer");
  }

  private static InferenceError wrong(String what, long index, Object value, String expected) {
    String shown =
        value instanceof String s
            ? "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\""
            : value == null ? "null" : value.toString();
    return InferenceError.badRequest(
        what + ": element " + index + " is " + shown + "; its datatype needs " + expected);
  }

  /**
   * IEEE 754 binary16 from a float, rounding to nearest even (Java 17 has no Float.floatToFloat16).
   */
  static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0)); // infinity, NaN
    int e = exp - 127 + 15;
    if (e >= 0x1f) return (short) (sign | 0x7c00); // too large: infinity
    if (e <= 0) { // a subnormal half, or zero
      if (e < -10) return (short) sign;
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >> shift;
      int rest = mant & ((1 << shift) - 1);
      int midway = 1 << (shift - 1);
      if (rest > midway || (rest == midway && (half & 1) != 0)) half++;
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0))
      half++; // a carry into the exponent is still right
    return (short) (sign | half);
  }

  static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) {
      float subnormal = mant * 0x1p-24f;
      return sign != 0 ? -subnormal : subnormal;
    }
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
