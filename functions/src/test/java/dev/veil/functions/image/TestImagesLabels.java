package dev.veil.functions.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The committed ImageNet labels, read independently of the code under test. */
final class TestImagesLabels {
  static final List<String> IMAGENET = read();

  private TestImagesLabels() {}

  private static List<String> read() {
    try (InputStream in =
        TestImagesLabels.class.getResourceAsStream("/models/image/imagenet-classes.txt")) {
      List<String> labels =
          List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
      if (labels.size() != 1000)
        throw new IllegalStateException("expected 1000 labels, got " + labels.size());
      return labels;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
