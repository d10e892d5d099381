package dev.veil.smpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Ring elements on the wire and in files: little-endian 64-bit words, 8 bytes each. */
public final class Wire {
  private Wire() {}

  public static byte[] toBytes(long[] v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(v);
    return b.array();
  }

  /**
   * @throws IllegalArgumentException when the length is not a whole number of 8-byte words
   */
  public static long[] fromBytes(byte[] bytes) {
    if (bytes.length % 8 != 0) {
      throw new IllegalArgumentException(
          "share data has " + bytes.length + " bytes, not a multiple of 8");
    }
    long[] out = new long[bytes.length / 8];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }
}
