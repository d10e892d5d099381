package dev.veil.fpga;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire form of a batch on the event bus: sample count, floats per sample, then the floats
 * (big-endian).
 */
final class BatchCodec {
  private BatchCodec() {}

  static Buffer encode(List<float[]> rows) {
    int width = rows.isEmpty() ? 0 : rows.get(0).length;
    ByteBuffer bytes =
        ByteBuffer.allocate(8 + rows.size() * width * Float.BYTES).order(ByteOrder.BIG_ENDIAN);
    bytes.putInt(rows.size()).putInt(width);
    for (float[] row : rows) {
      if (row.length != width) throw PoolException.badInput("samples of one batch differ in size");
      bytes.asFloatBuffer().put(row);
      bytes.position(bytes.position() + row.length * Float.BYTES);
    }
    return Buffer.buffer(bytes.array());
  }

  static List<float[]> decode(Buffer buffer) {
    if (buffer.length() < 8)
      throw new IllegalArgumentException("batch message shorter than its header");
    int n = buffer.getInt(0);
    int width = buffer.getInt(4);
    if (n < 0 || width < 0 || (long) n * width * Float.BYTES != buffer.length() - 8L) {
      throw new IllegalArgumentException("batch message size does not match its header");
    }
    ByteBuffer bytes = ByteBuffer.wrap(buffer.getBytes()).order(ByteOrder.BIG_ENDIAN);
    bytes.position(8);
    List<float[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] row = new float[width];
      bytes.asFloatBuffer().get(row);
      bytes.position(bytes.position() + width * Float.BYTES);
      rows.add(row);
    }
    return rows;
  }
}
