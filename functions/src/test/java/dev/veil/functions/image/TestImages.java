package dev.veil.functions.image;

import dev.veil.functions.mnist.MnistDigits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images for the tests, made here rather than committed. */
final class TestImages {
  private TestImages() {}

  /** A colourful gradient photo stand-in of the given size. */
  static BufferedImage gradient(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = 255 * x / Math.max(1, width - 1);
        int g = 255 * y / Math.max(1, height - 1);
        int b = (x * 7 + y * 13) & 0xff;
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }

  static byte[] encode(BufferedImage img, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(img, format, out))
        throw new IllegalStateException("no writer for " + format);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A valid PNG whose header claims other dimensions (IHDR rewritten, CRC fixed): no pixel data to
   * match.
   */
  static byte[] pngClaiming(int width, int height) {
    byte[] png = encode(gradient(4, 4), "png");
    // Signature (8) + length (4) + "IHDR" (4): width and height follow; CRC covers type + data (17
    // bytes).
    writeInt(png, 16, width);
    writeInt(png, 20, height);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17);
    writeInt(png, 29, (int) crc.getValue());
    return png;
  }

  private static void writeInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  /** One held-out digit: label and 28x28 8-bit pixels (white digit on black). */
  record Digit(int label, byte[] pixels) {
    byte[] png() {
      BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      int[] samples = new int[784];
      for (int i = 0; i < 784; i++) samples[i] = pixels[i] & 0xff;
      img.getRaster().setSamples(0, 0, 28, 28, 0, samples);
      return encode(img, "png");
    }
  }

  /**
   * The held-out split the digits CNN was not trained on: the models helper's 2,000 test digits.
   */
  static List<Digit> holdout() {
    MnistDigits test = MnistDigits.testSplit();
    List<Digit> digits = new ArrayList<>();
    for (int i = 0; i < test.labels().length; i++) {
      byte[] pixels = new byte[784];
      for (int p = 0; p < 784; p++) pixels[p] = (byte) Math.round(test.images()[i][p] * 255);
      digits.add(new Digit(test.labels()[i], pixels));
    }
    return digits;
  }
}
