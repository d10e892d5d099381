package dev.veil.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Deflater;

/**
 * Small inputs that decompress to a lot: what a hostile client uploads as a "compressed" SEAL
 * object.
 */
public final class CompressionBombs {

  private CompressionBombs() {}

  /**
   * A zstd frame of RLE blocks that expands to {@code blocks} × 128 KiB of zero bytes from 4 bytes
   * per block.
   */
  public static byte[] zstd(int blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        new byte[] {
          0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0x00, 0x38
        }); // magic, no size, 128 KiB window
    int blockSize = 128 * 1024;
    for (int i = 0; i < blocks; i++) {
      int header = (i == blocks - 1 ? 1 : 0) | (1 << 1) | (blockSize << 3);
      out.write(header & 0xFF);
      out.write((header >> 8) & 0xFF);
      out.write((header >> 16) & 0xFF);
      out.write(0);
    }
    return out.toByteArray();
  }

  /** A zlib stream of {@code megabytes} MiB of zero bytes (about 1 KiB per MiB). */
  public static byte[] zlib(int megabytes) {
    Deflater deflater = new Deflater(9);
    byte[] zeros = new byte[1 << 20];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    for (int i = 0; i < megabytes; i++) {
      deflater.setInput(zeros);
      while (!deflater.needsInput()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return out.toByteArray();
  }

  /**
   * {@code payload} behind a SEAL 4.1 header with compression mode {@code compression} (1 zlib, 2
   * zstd) and the given declared total size.
   */
  public static byte[] sealFramed(int compression, long declaredTotal, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0xA15E)
        .put((byte) 0x10)
        .put((byte) 4)
        .put((byte) 1)
        .put((byte) compression)
        .putShort((short) 0)
        .putLong(declaredTotal)
        .put(payload);
    return b.array();
  }
}
