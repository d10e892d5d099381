package dev.veil.functions.encrypted;

import dev.veil.functions.keys.KeyBundle;
import dev.veil.he.CkksParameters;
import dev.veil.he.Compression;
import dev.veil.testkit.CompressionBombs;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in its own JVM by {@link KeyLoadIsolationBenchmark}: decodes one key bundle whose Galois keys
 * are a zstd bomb (MNIST parameters) with a decoder bounded by the arguments, and prints the
 * process's peak RSS before and after. Arguments: max Galois keys, per-load cap in bytes, zstd
 * blocks of 128 KiB.
 */
public final class BombPeak {

  private BombPeak() {}

  public static void main(String[] args) throws Exception {
    SealKeysDecoder decoder =
        new SealKeysDecoder(Integer.parseInt(args[0]), Long.parseLong(args[1]));
    byte[] zstd = CompressionBombs.zstd(Integer.parseInt(args[2]));
    byte[] params = CkksParameters.withBitSizes(8192, 60, 40, 60).save(Compression.NONE);
    KeyBundle bundle =
        new KeyBundle(params, CompressionBombs.sealFramed(2, 16 + zstd.length, zstd), null);
    long before = peakKiB();
    long start = System.nanoTime();
    String outcome;
    try {
      decoder.decode(bundle);
      outcome = "loaded";
    } catch (RuntimeException e) {
      outcome = e.getMessage();
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "bomb %d bytes: peak RSS %d MiB before, %d MiB after, %d ms: %s%n",
        bundle.sizeBytes(), before / 1024, peakKiB() / 1024, ms, outcome);
  }

  private static long peakKiB() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }
}
