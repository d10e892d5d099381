package dev.veil.fpga;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The ResNet-50 pipeline's model files (featurizer + classifier head) with seeded, untrained
 * weights. They are ~100 MB, so they are generated on first use by the bundled script
 * (torchvision's resnet50, fixed seed, deterministic output) and cached in the folder named by the
 * app setting {@value #CACHE} or {@code ~/.cache/veil/models}. Needs python3 with torch and
 * torchvision (Debian python3-torch, python3-torchvision; scripts/setup.sh installs them); the
 * setting {@value #PYTHON} picks the interpreter. The caller passes its settings (a host's app
 * settings, or a process's environment).
 */
public final class SeededResNet50 {
  public static final String CACHE = "VEIL_MODEL_CACHE";
  public static final String PYTHON = "VEIL_PYTHON";

  /** Bump when the script's output changes, so stale caches are not reused. */
  private static final String VERSION = "resnet50-seeded-v1";

  /** The two model files. */
  public record ModelFiles(Path featurizer, Path classifier) {}

  private SeededResNet50() {}

  /**
   * Both files, generating them first if needed (blocking, seconds); {@code settings} gives null
   * when unset.
   */
  public static ModelFiles files(UnaryOperator<String> settings) {
    Path dir = ensure(settings);
    return new ModelFiles(dir.resolve("featurizer.onnx"), dir.resolve("classifier.onnx"));
  }

  // One JVM-wide lock: the cache folder on disk is shared by every host, and a file lock does not
  // exclude threads of the same JVM.
  private static synchronized Path ensure(UnaryOperator<String> settings) {
    String cache = settings.apply(CACHE);
    // default: the user's cache folder ($HOME from the settings, which include the environment)
    String home = settings.apply("HOME");
    Path dir =
        (cache != null
                ? Path.of(cache)
                : home != null
                    ? Path.of(home, ".cache", "veil", "models")
                    : Path.of(".veil", "models"))
            .resolve(VERSION);
    try {
      Files.createDirectories(dir);
      // Another JVM may be generating the same files: wait for it rather than racing it.
      try (FileChannel ch =
              FileChannel.open(
                  dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        if (!Files.exists(dir.resolve("featurizer.onnx"))
            || !Files.exists(dir.resolve("classifier.onnx"))) {
          generate(dir, settings.apply(PYTHON));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot prepare the ResNet-50 model cache " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void generate(Path dir, String configuredPython) throws IOException {
    Path script = dir.resolve("resnet50_onnx.py");
    try (InputStream in = SeededResNet50.class.getResourceAsStream("models/resnet50_onnx.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    String python =
        configuredPython != null
            ? configuredPython
            : Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    Process p =
        new ProcessBuilder(python, script.toString(), dir.toString())
            .redirectErrorStream(true)
            .start();
    String output;
    try (InputStream out = p.getInputStream()) {
      output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("ResNet-50 generation did not finish within 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while generating ResNet-50", e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "ResNet-50 generation failed (needs "
              + python
              + " with torch and torchvision; Debian: python3-torch python3-torchvision):\n"
              + output);
    }
  }
}
