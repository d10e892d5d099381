package dev.veil.he;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads libveilhe.so once per class loader: from the path in the system property {@code
 * veil.he.library} when set, otherwise from the copy packaged in this module's jar, extracted to a
 * private temp directory (System.load needs a file). A failure is remembered and reported, with
 * what is missing, on every use.
 */
final class NativeLoader {
  static final String RESOURCE = "/native/linux-x86_64/libveilhe.so";
  static final String LIBRARY_PROPERTY = "veil.he.library";

  private NativeLoader() {}

  /** Loaded when first asked for (class initialization runs once, under the JVM's lock). */
  private static final class Outcome {
    /** Null once the library is loaded; otherwise what went wrong, reported on every use. */
    static final String FAILURE = load();
  }

  static void ensureLoaded() {
    if (Outcome.FAILURE != null) {
      throw new HeException(Outcome.FAILURE);
    }
  }

  private static String load() {
    try {
      System.load(locateLibrary().toString());
      return null;
    } catch (HeException e) {
      return e.getMessage();
    } catch (UnsatisfiedLinkError e) {
      return "he-native: libveilhe.so could not be linked ("
          + e.getMessage()
          + "); a shared library it needs is missing - install libzstd1 and zlib1g";
    }
  }

  private static Path locateLibrary() {
    String explicit = System.getProperty(LIBRARY_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      Path path = Path.of(explicit);
      if (!Files.isRegularFile(path)) {
        throw new HeException(
            "he-native: " + LIBRARY_PROPERTY + " names " + path + ", which is not a file");
      }
      return path.toAbsolutePath();
    }
    String os = System.getProperty("os.name", "?").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "?").toLowerCase(Locale.ROOT);
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new HeException(
          "he-native: the native library is built for linux-x86_64 only; this JVM runs on "
              + os
              + "/"
              + arch);
    }
    try (InputStream in = NativeLoader.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new HeException(
            "he-native: "
                + RESOURCE.substring(1)
                + " is missing from the classpath; build the "
                + "he-native module with Maven on a machine with cmake, g++, libzstd-dev and zlib1g-dev "
                + "(scripts/setup.sh installs them)");
      }
      Path dir = Files.createTempDirectory("veil-he-");
      Path file = dir.resolve("libveilhe.so");
      dir.toFile().deleteOnExit(); // registered first, so deleted after the file
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new HeException(
          "he-native: cannot extract libveilhe.so to a temp directory: " + e.getMessage(), e);
    }
  }
}
