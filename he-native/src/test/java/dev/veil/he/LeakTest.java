package dev.veil.he;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 10,000 load/evaluate/save cycles on real SEAL objects must leave resident memory bounded: every
 * native object is freed by close(), and objects never closed are freed by the Cleaner.
 */
class LeakTest {
  private static final int CYCLES = 10_000;

  /** Allowed RSS growth after warm-up; a leaked ciphertext per cycle would be >600 MiB. */
  private static final long MAX_GROWTH_KIB = 64 * 1024;

  private static void collectGarbage() {
    System.gc();
    try {
      Thread.sleep(100); // the Cleaner thread runs after the collection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void loadEvaluateSaveCyclesKeepMemoryBounded() throws Exception {
    byte[] parms;
    byte[] ct;
    byte[] rk;
    byte[] gk;
    try (SealHarness seal = SealHarness.start()) {
      JsonNode made =
          seal.call("context", Map.of("ctx", "leak", "n", 2048, "bits", new int[] {18, 18, 18}));
      parms = SealHarness.take(made.get("parms"));
      JsonNode keys =
          seal.call(
                  "keygen",
                  Map.of(
                      "ctx",
                      "leak",
                      "steps",
                      new int[] {1},
                      "comprs",
                      List.of("zstd"),
                      "forms",
                      "seeded"))
              .get("files")
              .get("zstd");
      rk = SealHarness.take(keys.get("relinKeysSeeded"));
      gk = SealHarness.take(keys.get("galoisKeysSeeded"));
      ct =
          SealHarness.take(
              seal.call(
                      "encrypt",
                      Map.of(
                          "ctx",
                          "leak",
                          "values",
                          new double[] {0.5, 0.25},
                          "scale",
                          1024.0,
                          "mode",
                          "seeded",
                          "compr",
                          "zstd"))
                  .get("ct"));
    }
    try (CkksContext ctx = CkksContext.create(CkksParameters.load(parms));
        Evaluator ev = new Evaluator(ctx);
        RelinKeys relin = RelinKeys.load(ctx, rk);
        GaloisKeys galois = GaloisKeys.load(ctx, gk)) {
      long warmedUp = 0;
      int savedBytes = 0;
      for (int i = 0; i < CYCLES; i++) {
        if (i % 1000 == 0) {
          collectGarbage(); // lets the Cleaner free the unclosed objects below
        }
        if (i == CYCLES / 10) {
          warmedUp = Rss.currentKiB();
        }
        try (Ciphertext a = Ciphertext.load(ctx, ct);
            Ciphertext product = ev.multiply(a, a);
            Ciphertext relinearized = ev.relinearize(product, relin)) {
          savedBytes = relinearized.save(Compression.ZSTD).length;
        }
        if (i % 10 == 0) {
          // Never closed: the Cleaner must free these.
          ev.rotate(Ciphertext.load(ctx, ct), 1, galois).parmsId();
        }
      }
      collectGarbage();
      long growth = Rss.currentKiB() - warmedUp;
      System.out.println(
          "he-native leak test: "
              + CYCLES
              + " cycles, RSS growth after warm-up "
              + growth
              + " KiB (bound "
              + MAX_GROWTH_KIB
              + " KiB)");
      assertTrue(savedBytes > 0);
      assertTrue(
          growth < MAX_GROWTH_KIB,
          "resident memory grew by " + growth + " KiB over " + CYCLES + " cycles");
    }
  }
}
