package dev.veil.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Shared inference against plaintext inference, the seed's Linear(1,1) and its accuracy count on
 * shares.
 */
class SecureMlpTest {
  private static final FixedPoint FP = FixedPoint.DEFAULT;

  /** Test inputs in [-2, 2) (SplittableRandom: test data only, never shares). */
  private static double[] inputs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = r.nextDouble(-2, 2);
    return x;
  }

  @Test
  void reluMlpScoresAndArgmaxMatchPlaintext() {
    Mlp model = PrivacyTest.smallModel(11);
    SharedMlp.Split shared = SharedMlp.split(model, FP, Prg.fresh());
    int rows = 64;
    double[] x = inputs(rows * 16, 5);
    long[][] xs = Shares.split(FP.encode(x), Prg.fresh());
    var result =
        InProcess.run(
            p -> SecureMlp.infer(p, shared.party(p.id()), xs[p.id()], rows, true),
            FP,
            shared.masks().dealer());
    double[] scores =
        FP.decode(InProcess.reveal(List.of(result.party0().scores(), result.party1().scores())));
    long[] argmax = InProcess.reveal(List.of(result.party0().argmax(), result.party1().argmax()));
    for (int row = 0; row < rows; row++) {
      double[] expected = model.scores(java.util.Arrays.copyOfRange(x, row * 16, row * 16 + 16));
      for (int k = 0; k < 3; k++) {
        assertTrue(
            Math.abs(expected[k] - scores[row * 3 + k]) < 1e-3,
            "row " + row + ": " + expected[k] + " vs " + scores[row * 3 + k]);
      }
      assertEquals(Mlp.argmax(expected), argmax[row]);
    }
    // 1 (layer 1) + 2 (ReLU) + 1 (layer 2) + 2 (argmax of 3: the pairs, then products of 2 bits),
    // whatever the batch size
    assertEquals(6, result.rounds());
  }

  @Test
  void polynomialActivationMatchesPlaintext() {
    SplittableRandom r = new SplittableRandom(9);
    double[][] w1 = new double[4][5];
    for (double[] row : w1) for (int i = 0; i < 5; i++) row[i] = r.nextDouble(-1, 1);
    Mlp model =
        new Mlp(
            "poly",
            List.of(
                new Mlp.Layer(
                    w1,
                    new double[] {0.1, 0.2, 0.3, 0.4},
                    Mlp.Activation.polynomial(0.5, 0.197, 0, -0.004)),
                new Mlp.Layer(
                    new double[][] {{1, -1, 0.5, 0.25}, {-0.5, 1, 1, -1}},
                    new double[] {0, 0.1},
                    Mlp.Activation.NONE)));
    SharedMlp.Split shared = SharedMlp.split(model, FP, Prg.fresh());
    double[] x = {1.5, -2, 0.3, 3, -1};
    long[][] xs = Shares.split(FP.encode(x), Prg.fresh());
    var result =
        InProcess.run(
            p -> SecureMlp.infer(p, shared.party(p.id()), xs[p.id()], 1, false),
            FP,
            shared.masks().dealer());
    double[] got =
        FP.decode(InProcess.reveal(List.of(result.party0().scores(), result.party1().scores())));
    double[] expected = model.scores(x);
    for (int k = 0; k < 2; k++)
      assertTrue(Math.abs(expected[k] - got[k]) < 1e-3, expected[k] + " vs " + got[k]);
    assertEquals(4, result.rounds()); // layer, t², t³, layer
  }

  @Test
  void theSeedsLinearOneByOneAndItsAccuracyCountOnShares() {
    // torch.nn.Linear(1, 1), data zeros(1, 1), target zeros(1): prediction = argmax over one output
    // = 0
    Mlp linear =
        new Mlp(
            "linear-1x1",
            List.of(
                new Mlp.Layer(new double[][] {{0.37}}, new double[] {-0.12}, Mlp.Activation.NONE)));
    SharedMlp.Split shared = SharedMlp.split(linear, FP, Prg.fresh());
    long[][] data = Shares.split(FP.encode(new double[] {0}), Prg.fresh());
    long[][] target = Shares.split(new long[] {0}, Prg.fresh());
    var result =
        InProcess.run(
            p -> {
              SecureMlp.Output out =
                  SecureMlp.infer(p, shared.party(p.id()), data[p.id()], 1, true);
              return SecureMlp.correctCount(p, out.argmax(), target[p.id()]);
            },
            FP,
            shared.masks().dealer());
    assertEquals(1L, result.party0());
    assertEquals(1L, result.party1());
    // and with a target the model does not predict, the count is 0
    long[][] wrong = Shares.split(new long[] {3}, Prg.fresh());
    var miss =
        InProcess.run(
            p -> {
              SecureMlp.Output out =
                  SecureMlp.infer(p, shared.party(p.id()), data[p.id()], 1, true);
              return SecureMlp.correctCount(p, out.argmax(), wrong[p.id()]);
            },
            FP,
            shared.masks().dealer());
    assertEquals(0L, miss.party0());
  }

  @Test
  void correctCountOverABatch() {
    Mlp model = PrivacyTest.smallModel(12);
    SharedMlp.Split shared = SharedMlp.split(model, FP, Prg.fresh());
    int rows = 30;
    double[] x = inputs(rows * 16, 3);
    long[] labels = new long[rows];
    int expected = 0;
    for (int row = 0; row < rows; row++) {
      int predicted =
          Mlp.argmax(model.scores(java.util.Arrays.copyOfRange(x, row * 16, row * 16 + 16)));
      labels[row] = row % 3 == 0 ? (predicted + 1) % 3 : predicted;
      if (labels[row] == predicted) expected++;
    }
    long[][] xs = Shares.split(FP.encode(x), Prg.fresh());
    long[][] ls = Shares.split(labels, Prg.fresh());
    var result =
        InProcess.run(
            p ->
                SecureMlp.correctCount(
                    p,
                    SecureMlp.infer(p, shared.party(p.id()), xs[p.id()], rows, true).argmax(),
                    ls[p.id()]),
            FP,
            shared.masks().dealer());
    assertEquals(expected, result.party0());
  }

  @Test
  void wrongSizedInputIsRefused() {
    SharedMlp.Split shared = SharedMlp.split(PrivacyTest.smallModel(1), FP, Prg.fresh());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SecureMlp.infer(
                    new Party(0, PlanRecorder.silentPeer(), new PlanRecorder(), FP),
                    shared.party(0),
                    new long[15],
                    1,
                    true));
    assertTrue(e.getMessage().contains("16 features"), e.getMessage());
  }
}
