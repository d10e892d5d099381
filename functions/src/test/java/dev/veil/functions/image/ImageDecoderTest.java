package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.http.FunctionFailure;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Untrusted bytes: every bad input is an IllegalArgumentException with a message for the caller.
 */
class ImageDecoderTest {
  private static String rejected(byte[] bytes) {
    return assertThrows(
            FunctionFailure.class,
            () -> ImageDecoder.decode(bytes, ImageDecoder.DEFAULT_MAX_PIXELS))
        .getMessage();
  }

  @Test
  void decodesPngAndJpeg() {
    ImageDecoder.Pixels png =
        ImageDecoder.decode(TestImages.encode(TestImages.gradient(64, 48), "png"), 1_000_000);
    assertEquals(64, png.width());
    assertEquals(48, png.height());
    assertEquals(TestImages.gradient(64, 48).getRGB(10, 20) & 0xffffff, png.rgb()[20 * 64 + 10]);
    ImageDecoder.Pixels jpeg =
        ImageDecoder.decode(TestImages.encode(TestImages.gradient(64, 48), "jpeg"), 1_000_000);
    assertEquals(64 * 48, jpeg.rgb().length);
  }

  @Test
  void emptyBody() {
    assertTrue(rejected(new byte[0]).contains("empty body"));
  }

  @Test
  void notAnImage() {
    assertTrue(
        rejected("{\"hello\": 1}".getBytes(StandardCharsets.UTF_8)).contains("not a JPEG or PNG"));
  }

  @Test
  void otherImageFormat() {
    assertTrue(
        rejected(TestImages.encode(TestImages.gradient(8, 8), "bmp"))
            .contains("unsupported image format 'bmp'"));
  }

  @Test
  void truncatedPng() {
    byte[] png = TestImages.encode(TestImages.gradient(200, 200), "png");
    assertTrue(rejected(Arrays.copyOf(png, png.length / 2)).contains("damaged or truncated"));
  }

  @Test
  void truncatedJpeg() {
    byte[] jpeg = TestImages.encode(TestImages.gradient(200, 200), "jpeg");
    assertTrue(rejected(Arrays.copyOf(jpeg, jpeg.length / 2)).contains("damaged or truncated"));
  }

  @Test
  void fiftyMegapixelsRefusedFromTheHeader() {
    String message = rejected(TestImages.pngClaiming(10_000, 5_000));
    assertTrue(
        message.contains("10000x5000") && message.contains("limit is 40.0 megapixels"), message);
  }
}
