package dev.veil.smpc;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Privacy checks: what a party receives does not depend on the input, stored weight shares are
 * uniform, one party's shares alone do not give the model back. The statistic is a chi-square over
 * the 256 byte values (two-sample homogeneity, or goodness of fit to uniform), 255 degrees of
 * freedom; the threshold 400 lies beyond p = 10^-12, and each test also shows the statistic firing
 * on data that does leak.
 */
class PrivacyTest {
  private static final FixedPoint FP = FixedPoint.DEFAULT;
  private static final double THRESHOLD = 400;

  static Mlp smallModel(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] w1 = new double[8][16];
    double[][] w2 = new double[3][8];
    for (double[] row : w1) for (int i = 0; i < row.length; i++) row[i] = r.nextDouble(-1, 1);
    for (double[] row : w2) for (int i = 0; i < row.length; i++) row[i] = r.nextDouble(-1, 1);
    return new Mlp(
        "small",
        List.of(
            new Mlp.Layer(w1, new double[8], Mlp.Activation.RELU),
            new Mlp.Layer(w2, new double[] {0.1, -0.2, 0.3}, Mlp.Activation.NONE)));
  }

  /**
   * Everything party {@code observer} receives from its peer over {@code runs} inferences of {@code
   * input}.
   */
  private static long[] view(SharedMlp.Split model, double[] input, int observer, int runs) {
    Dealer dealer = model.masks().dealer();
    List<Long> seen = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      long[][] x = Shares.split(FP.encode(input), Prg.fresh());
      InProcess.Computation<SecureMlp.Output> c =
          p -> SecureMlp.infer(p, model.party(p.id()), x[p.id()], 1, true);
      Plan plan = InProcess.plan(c, FP);
      Dealer.Dealt dealt = dealer.deal(plan);
      Channel[] link = LocalChannel.pair(Duration.ofSeconds(10));
      Channel recording =
          mine -> {
            long[] theirs = link[observer].exchange(mine);
            for (long v : theirs) seen.add(v);
            return theirs;
          };
      Party p0 =
          new Party(0, observer == 0 ? recording : link[0], new Material(0, dealt.party0()), FP);
      Party p1 =
          new Party(1, observer == 1 ? recording : link[1], new Material(1, dealt.party1()), FP);
      CompletableFuture<SecureMlp.Output> other = CompletableFuture.supplyAsync(() -> c.run(p1));
      c.run(p0);
      other.join();
    }
    return seen.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] byteHistogram(long[] values) {
    long[] h = new long[256];
    for (long v : values) {
      for (int b = 0; b < 8; b++) h[(int) ((v >>> (8 * b)) & 0xff)]++;
    }
    return h;
  }

  /** Two-sample chi-square on byte histograms (equal totals). */
  static double twoSample(long[] a, long[] b) {
    long[] ha = byteHistogram(a), hb = byteHistogram(b);
    double chi = 0;
    for (int i = 0; i < 256; i++) {
      if (ha[i] + hb[i] > 0) chi += Math.pow(ha[i] - hb[i], 2) / (ha[i] + hb[i]);
    }
    return chi;
  }

  /** Goodness of fit of the byte histogram to uniform. */
  static double uniform(long[] a) {
    long[] h = byteHistogram(a);
    double expected = 8.0 * a.length / 256;
    double chi = 0;
    for (long c : h) chi += Math.pow(c - expected, 2) / expected;
    return chi;
  }

  @Test
  void eachPartysViewIsIndistinguishableForTwoInputs() {
    SharedMlp.Split model = SharedMlp.split(smallModel(1), FP, Prg.fresh());
    double[] zeros = new double[16];
    double[] large = new double[16];
    java.util.Arrays.fill(large, 7.5);
    for (int observer = 0; observer < 2; observer++) {
      long[] a = view(model, zeros, observer, 40);
      long[] b = view(model, large, observer, 40);
      double chi = twoSample(a, b);
      assertTrue(chi < THRESHOLD, "party " + observer + "'s views differ: chi2 = " + chi);
      assertTrue(
          uniform(a) < THRESHOLD,
          "party " + observer + "'s view is not uniform: chi2 = " + uniform(a));
    }
    // the same statistic on the inputs themselves (what a party would see without masking) tells
    // them apart
    long[] plainA = new long[800], plainB = new long[800];
    java.util.Arrays.fill(plainB, FP.encode(7.5));
    assertTrue(twoSample(plainA, plainB) > THRESHOLD);
  }

  @Test
  void storedWeightSharesAreUniformAndIndependentOfTheWeights() throws IOException {
    Mlp model = smallModel(2);
    Mlp zeroModel =
        new Mlp(
            "small",
            List.of(
                new Mlp.Layer(new double[8][16], new double[8], Mlp.Activation.RELU),
                new Mlp.Layer(new double[3][8], new double[3], Mlp.Activation.NONE)));
    for (int party = 0; party < 2; party++) {
      long[] real = weights(reread(SharedMlp.split(model, FP, Prg.fresh()).party(party)));
      long[] zero = weights(reread(SharedMlp.split(zeroModel, FP, Prg.fresh()).party(party)));
      assertTrue(uniform(real) < THRESHOLD, "share " + party + " not uniform: " + uniform(real));
      assertTrue(twoSample(real, zero) < THRESHOLD, "share " + party + " depends on the weights");
    }
    assertTrue(
        uniform(FP.encode(model.layers().get(0).weights()[0]))
            > THRESHOLD); // the weights themselves are not
  }

  @Test
  void oneSharesFileAloneDoesNotGiveTheModelBack() throws IOException {
    Mlp model = smallModel(3);
    SharedMlp.Split split = SharedMlp.split(model, FP, Prg.fresh());
    SharedMlp.Split other = SharedMlp.split(model, FP, Prg.fresh());
    // the owner's two halves give it back
    double[] x = new double[16];
    java.util.Arrays.fill(x, 0.5);
    double[] expected = model.scores(x);
    double[] back = SharedMlp.reconstruct(reread(split.party0()), reread(split.party1())).scores(x);
    for (int i = 0; i < expected.length; i++) assertTrue(Math.abs(expected[i] - back[i]) < 1e-3);
    // what one party can compute alone from its file (masked weights plus its mask share: W − B of
    // the other
    // party) is noise, not W
    for (int party = 0; party < 2; party++) {
      SharedMlp.Layer first = split.party(party).layers().get(0);
      long[] alone =
          party == 0 ? first.weightShare() : Ring.add(first.masked(), first.weightShare());
      int close = 0;
      for (int o = 0; o < 8; o++) {
        for (int i = 0; i < 16; i++) {
          if (Math.abs(FP.decode(alone[i * 8 + o]) - model.layers().get(0).weights()[o][i]) < 1)
            close++;
        }
      }
      assertTrue(close <= 2, close + " of 128 weights recovered from party " + party + "'s share");
    }
    // nor can the provider: its masks are uniform and independent of the weights
    long[] mask = split.masks().layers().get(0).mask();
    assertTrue(uniform(mask) < THRESHOLD);
    // halves of two different splits do not combine, and the version check says so
    assertNotEquals(split.party0().sharingId(), other.party1().sharingId());
    try {
      SharedMlp.reconstruct(split.party0(), other.party1());
      throw new AssertionError("halves of different splits were accepted");
    } catch (IllegalArgumentException expectedFailure) {
      assertTrue(expectedFailure.getMessage().contains("not the two halves"));
    }
  }

  private static SharedMlp reread(SharedMlp s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.write(out);
    return SharedMlp.read(new ByteArrayInputStream(out.toByteArray()));
  }

  private static long[] weights(SharedMlp s) {
    return s.layers().stream().flatMapToLong(l -> java.util.Arrays.stream(l.masked())).toArray();
  }
}
