package dev.veil.functions.image;

import dev.veil.functions.http.FunctionFailure;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes untrusted JPEG/PNG bytes with a bound: the dimensions are read from the header first, and
 * an image above the pixel limit is rejected before any pixel memory is allocated. Every problem is
 * an {@link FunctionFailure#badInput bad-input failure} whose message can go back to the caller as
 * a 400.
 */
public final class ImageDecoder {
  /** 40 megapixels: a 50 MP upload is refused before decoding. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  /**
   * Megapixels decoded at the same time in this process (an image holds ~8 bytes per pixel while
   * decoded).
   */
  private static final int BUDGET_MEGAPIXELS = 160;

  private static final Semaphore BUDGET = new Semaphore(BUDGET_MEGAPIXELS, true);

  private ImageDecoder() {}

  /** Pixels of a decoded image as packed 0xRRGGBB, row-major. */
  public record Pixels(int width, int height, int[] rgb) {}

  public static Pixels decode(byte[] bytes, long maxPixels) {
    return decode(bytes, maxPixels, pixels -> pixels);
  }

  /**
   * Decodes and hands the pixels to {@code use} while holding their share of a process-wide pixel
   * budget, so that many large images arriving together wait for memory instead of exhausting it.
   */
  public static <T> T decode(byte[] bytes, long maxPixels, Function<Pixels, T> use) {
    if (bytes == null || bytes.length == 0) {
      throw FunctionFailure.badInput("empty body: send a JPEG or PNG image");
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) throw FunctionFailure.badInput("the body is not a JPEG or PNG image");
      ImageReader reader = readers.next();
      try {
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        if (!format.equals("jpeg") && !format.equals("png")) {
          throw FunctionFailure.badInput(
              "unsupported image format '" + format + "': send a JPEG or PNG image");
        }
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) throw FunctionFailure.badInput("the image has no pixels");
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
          throw FunctionFailure.badInput(
              String.format(
                  Locale.ROOT,
                  "image is %dx%d (%.1f megapixels); the limit is %.1f megapixels",
                  width,
                  height,
                  pixels / 1e6,
                  maxPixels / 1e6));
        }
        int permits =
            (int) Math.max(1, Math.min(BUDGET_MEGAPIXELS, (pixels + 999_999) / 1_000_000));
        BUDGET.acquireUninterruptibly(permits);
        try {
          List<String> warnings = new ArrayList<>();
          reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
          BufferedImage image = reader.read(0);
          if (!warnings.isEmpty()) {
            throw FunctionFailure.badInput(
                "the " + format + " image is damaged or truncated: " + warnings.get(0));
          }
          Pixels decoded = new Pixels(width, height, rgb(image));
          return use.apply(decoded);
        } finally {
          BUDGET.release(permits);
        }
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw FunctionFailure.badInput("the image is damaged or truncated: " + e.getMessage());
    } catch (FunctionFailure e) {
      throw e;
    } catch (RuntimeException e) {
      // Decoders throw assorted unchecked exceptions on malformed data.
      throw FunctionFailure.badInput("the image could not be decoded: " + e);
    }
  }

  /**
   * 8-bit gray images are read from the raster directly: {@code getRGB} would pass them through
   * Java's linear gray colour space and change their values.
   */
  private static int[] rgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && image.getColorModel().getComponentSize(0) == 8) {
      int[] gray = raster.getSamples(0, 0, w, h, 0, (int[]) null);
      for (int i = 0; i < gray.length; i++) gray[i] = gray[i] * 0x010101;
      return gray;
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < argb.length; i++) argb[i] &= 0xffffff;
    return argb;
  }
}
