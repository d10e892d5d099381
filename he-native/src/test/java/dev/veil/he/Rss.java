package dev.veil.he;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this JVM from /proc/self/status (native allocations included). */
final class Rss {
  private Rss() {}

  /** Current resident set size (VmRSS), KiB. */
  static long currentKiB() {
    return field("VmRSS:");
  }

  /** Peak resident set size so far (VmHWM), KiB. */
  static long peakKiB() {
    return field("VmHWM:");
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).replace("kB", "").trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(name + " missing from /proc/self/status");
  }
}
