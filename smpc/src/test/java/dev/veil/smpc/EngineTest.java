package dev.veil.smpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Correctness of the protocols against plaintext, error bounds, and the one-time use of material.
 */
class EngineTest {
  private static final FixedPoint FP = FixedPoint.DEFAULT;
  private static final SplittableRandom TEST_VALUES =
      new SplittableRandom(7); // test inputs only, never shares

  /** Shares of {@code x} for both parties, split once so both threads see the same split. */
  private static long[][] share(long[] x) {
    return Shares.split(x, Prg.fresh());
  }

  private static double[] randomValues(int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (TEST_VALUES.nextDouble() * 2 - 1) * scale;
    }
    return v;
  }

  @Test
  void fixedPointRoundTripsWithinHalfAUnit() {
    for (double v : randomValues(1000, 1000)) {
      assertTrue(Math.abs(FP.decode(FP.encode(v)) - v) <= FP.ulp() / 2);
    }
    assertThrows(IllegalArgumentException.class, () -> FP.encode(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> FP.encode(1e12));
  }

  @Test
  void prgIsDeterministicPerSeedAndDiffersAcrossSeeds() {
    byte[] seed = Prg.newSeed();
    assertArrayEquals(new Prg(seed).longs(10_000), new Prg(seed).longs(10_000));
    assertNotEquals(new Prg(seed).nextLong(), new Prg(Prg.newSeed()).nextLong());
  }

  @Test
  void sharesReconstructAndEachAloneIsNotTheValue() {
    long[] x = FP.encode(randomValues(100, 10));
    long[][] s = share(x);
    assertArrayEquals(x, Shares.reconstruct(s[0], s[1]));
    int equal = 0;
    for (int i = 0; i < x.length; i++) {
      if (s[0][i] == x[i] || s[1][i] == x[i]) equal++;
    }
    assertEquals(0, equal);
  }

  @Test
  void multiplyAndTruncateMatchPlaintextWithinTheBound() {
    double[] a = randomValues(2000, 100), b = randomValues(2000, 100);
    long[][] sa = share(FP.encode(a)), sb = share(FP.encode(b));
    var result = InProcess.run(p -> p.truncate(p.multiply(sa[p.id()], sb[p.id()])), FP);
    double[] got = FP.decode(InProcess.reveal(List.of(result.party0(), result.party1())));
    for (int i = 0; i < a.length; i++) {
      double exact = FP.decode(FP.encode(a[i])) * FP.decode(FP.encode(b[i]));
      // truncation: at most one unit below or above the exact quotient
      assertTrue(
          Math.abs(got[i] - exact) <= FP.ulp() * 1.0001,
          "element " + i + ": " + got[i] + " vs " + exact);
    }
    assertEquals(1, result.rounds());
    assertEquals(16L * a.length, result.bytesPerParty());
  }

  @Test
  void truncationFailureIsRareAsTheBoundSays() {
    // |x| < 2^40: failure probability ≤ 2^-23 per element; 200,000 elements → expect ~0.02 failures
    int n = 200_000;
    long[] x = new long[n];
    for (int i = 0; i < n; i++) x[i] = TEST_VALUES.nextLong(-(1L << 40), 1L << 40);
    long[][] s = share(x);
    var result = InProcess.run(p -> p.truncate(s[p.id()]), FP);
    long[] got = InProcess.reveal(List.of(result.party0(), result.party1()));
    int bad = 0;
    for (int i = 0; i < n; i++) {
      long exact = x[i] >> FP.fracBits();
      if (Math.abs(got[i] - exact) > 1) bad++;
    }
    assertTrue(bad <= 1, bad + " truncation failures among " + n);
    assertEquals(0, result.rounds());
  }

  @Test
  void matrixMultiplyMatchesPlaintext() {
    int n = 3, k = 50, m = 7;
    long[] x = FP.encode(randomValues(n * k, 2)), y = FP.encode(randomValues(k * m, 2));
    long[][] sx = share(x), sy = share(y);
    var result = InProcess.run(p -> p.matrixMultiply(sx[p.id()], sy[p.id()], n, k, m), FP);
    assertArrayEquals(
        Ring.multiply(x, y, n, k, m), InProcess.reveal(List.of(result.party0(), result.party1())));
    assertEquals(1, result.rounds());
    assertEquals(8L * (n * k + k * m), result.bytesPerParty());
  }

  @Test
  void dcfSharesAddUpToTheComparison() {
    Dcf dcf = new Dcf();
    int n = 400;
    long[] alpha = new long[n], beta = new long[n], x = new long[n];
    for (int i = 0; i < n; i++) {
      alpha[i] = TEST_VALUES.nextLong() & Long.MAX_VALUE;
      beta[i] = TEST_VALUES.nextLong();
      x[i] =
          switch (i % 5) {
            case 0 -> alpha[i];
            case 1 -> alpha[i] == 0 ? 0 : alpha[i] - 1;
            case 2 -> alpha[i] == Long.MAX_VALUE ? alpha[i] : alpha[i] + 1;
            case 3 -> i % 2 == 0 ? 0 : Long.MAX_VALUE;
            default -> TEST_VALUES.nextLong() & Long.MAX_VALUE;
          };
    }
    Prg prg = Prg.fresh();
    long[] r0h = prg.longs(n), r0l = prg.longs(n), r1h = prg.longs(n), r1l = prg.longs(n);
    Dcf.CorrectionWords cw = dcf.generate(alpha, beta, r0h, r0l, r1h, r1l);
    long[] v0 = dcf.evaluate(0, r0h, r0l, cw, x);
    long[] v1 = dcf.evaluate(1, r1h, r1l, cw, x);
    for (int i = 0; i < n; i++) {
      assertEquals(
          x[i] < alpha[i] ? beta[i] : 0, v0[i] + v1[i], "x=" + x[i] + " alpha=" + alpha[i]);
    }
  }

  @Test
  void dreluAndReluMatchPlaintextIncludingZeroAndExtremes() {
    double[] v = randomValues(500, 50);
    v[0] = 0;
    v[1] = FP.ulp();
    v[2] = -FP.ulp();
    v[3] = FP.maxMagnitude() * 0.99;
    v[4] = -FP.maxMagnitude() * 0.99;
    long[] x = FP.encode(v);
    long[][] s = share(x);
    var drelu = InProcess.run(p -> p.drelu(s[p.id()]), FP);
    long[] bits = InProcess.reveal(List.of(drelu.party0(), drelu.party1()));
    for (int i = 0; i < v.length; i++) {
      assertEquals(x[i] >= 0 ? 1 : 0, bits[i], "value " + v[i]);
    }
    assertEquals(1, drelu.rounds());
    var relu = InProcess.run(p -> p.relu(s[p.id()]), FP);
    long[] out = InProcess.reveal(List.of(relu.party0(), relu.party1()));
    for (int i = 0; i < v.length; i++) {
      assertEquals(Math.max(x[i], 0), out[i]); // exact: a 0/1 bit times x needs no truncation
    }
    assertEquals(2, relu.rounds());
  }

  @Test
  void argmaxPicksTheFirstLargestLikePlaintext() {
    int rows = 40, cols = 10;
    double[] v = randomValues(rows * cols, 20);
    for (int c = 0; c < cols; c++) v[c] = 3.0; // a full tie: index 0
    v[cols + 7] = 99;
    v[cols + 9] = 99; // a tie between 7 and 9: index 7
    long[][] s = share(FP.encode(v));
    var result = InProcess.run(p -> p.argmax(s[p.id()], rows, cols).index(), FP);
    long[] idx = InProcess.reveal(List.of(result.party0(), result.party1()));
    for (int r = 0; r < rows; r++) {
      assertEquals(
          Mlp.argmax(java.util.Arrays.copyOfRange(v, r * cols, (r + 1) * cols)),
          idx[r],
          "row " + r);
    }
    assertEquals(5, result.rounds()); // all pairs in one, then products of 9 bits in 4
  }

  @Test
  void materialIsServedOnceInPlanOrder() {
    Plan plan = new Plan(List.of(new Plan.Item(Plan.Kind.TRIPLE, 4, 0, 0)));
    Dealer.Dealt dealt = new Dealer().deal(plan);
    Material m = new Material(0, dealt.party0());
    assertThrows(IllegalStateException.class, () -> m.comparison(4), "wrong kind");
    m.triple(4);
    assertTrue(m.usedUp());
    IllegalStateException used = assertThrows(IllegalStateException.class, () -> m.triple(4));
    assertTrue(used.getMessage().contains("used up"), used.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Material(1, dealt.party0()),
        "other party's bundle");
    byte[] cut = java.util.Arrays.copyOf(dealt.party1(), dealt.party1().length - 8);
    assertThrows(IllegalArgumentException.class, () -> new Material(1, cut));
    // a fresh dealing gives fresh randomness
    Dealer.Dealt again = new Dealer().deal(plan);
    assertNotEquals(
        new Material(0, dealt.party0()).triple(4).a()[0],
        new Material(0, again.party0()).triple(4).a()[0]);
  }

  @Test
  void dealtTriplesAreConsistent() {
    Plan plan =
        new Plan(
            List.of(
                new Plan.Item(Plan.Kind.MATRIX_TRIPLE, 3, 5, 2),
                new Plan.Item(Plan.Kind.TRIPLE, 9, 0, 0)));
    Dealer.Dealt dealt = new Dealer().deal(plan);
    Material m0 = new Material(0, dealt.party0()), m1 = new Material(1, dealt.party1());
    Randomness.Triple a = m0.matrixTriple(3, 5, 2), b = m1.matrixTriple(3, 5, 2);
    assertArrayEquals(
        Ring.multiply(Ring.add(a.a(), b.a()), Ring.add(a.b(), b.b()), 3, 5, 2),
        Ring.add(a.c(), b.c()));
    Randomness.Triple c = m0.triple(9), d = m1.triple(9);
    for (int i = 0; i < 9; i++) {
      assertEquals((c.a()[i] + d.a()[i]) * (c.b()[i] + d.b()[i]), c.c()[i] + d.c()[i]);
    }
    // party 0's bundle is only its seed, the plan and no explicit words for triples
    assertEquals(Dealer.headerBytes(plan), dealt.party0().length);
  }
}
