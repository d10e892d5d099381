package dev.veil.functions.mnist;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The committed 10,000 MNIST digits ({@code functions/training/data/mnist-10k-*.gz}, gzip'd IDX)
 * for tests: pixels scaled to [0, 1] as the model expects, and labels. The first 8,000 are the
 * training split, the last 2,000 the test split.
 */
public record MnistDigits(double[][] images, int[] labels) {

  public static final Path IMAGES = Path.of("training", "data", "mnist-10k-images-idx3-ubyte.gz");
  public static final Path LABELS = Path.of("training", "data", "mnist-10k-labels-idx1-ubyte.gz");
  public static final int TRAIN = 8000;

  /** The 2,000 test digits. */
  public static MnistDigits testSplit() {
    MnistDigits all = load();
    int n = all.labels.length - TRAIN;
    double[][] images = new double[n][];
    int[] labels = new int[n];
    System.arraycopy(all.images, TRAIN, images, 0, n);
    System.arraycopy(all.labels, TRAIN, labels, 0, n);
    return new MnistDigits(images, labels);
  }

  public static MnistDigits load() {
    try (DataInputStream images = open(IMAGES);
        DataInputStream labels = open(LABELS)) {
      if (images.readInt() != 0x803 || labels.readInt() != 0x801) {
        throw new IOException("not IDX image/label files");
      }
      int count = images.readInt();
      int rows = images.readInt();
      int cols = images.readInt();
      if (labels.readInt() != count || rows != 28 || cols != 28) {
        throw new IOException("unexpected IDX dimensions");
      }
      byte[] pixels = new byte[rows * cols];
      double[][] out = new double[count][];
      int[] digits = new int[count];
      for (int i = 0; i < count; i++) {
        images.readFully(pixels);
        out[i] = new double[pixels.length];
        for (int p = 0; p < pixels.length; p++) {
          out[i][p] = Byte.toUnsignedInt(pixels[p]) / 255.0;
        }
        digits[i] = labels.readUnsignedByte();
      }
      return new MnistDigits(out, digits);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the MNIST data files", e);
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
    return new DataInputStream(in);
  }
}
