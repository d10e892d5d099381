package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.smpc.FixedPoint;
import dev.veil.smpc.InProcess;
import dev.veil.smpc.Mlp;
import dev.veil.smpc.Prg;
import dev.veil.smpc.SecureMlp;
import dev.veil.smpc.SharedMlp;
import dev.veil.smpc.Shares;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared prediction equals the plaintext one on 500 MNIST test digits (the 784→128→10 ReLU MLP)
 * and on all 114 breast-cancer validation rows, run in-process through the same engine the party
 * functions run; prints the largest score error against the fixed-point resolution.
 */
class SmpcAccuracyTest {
  private static final FixedPoint FP = FixedPoint.DEFAULT;

  /** Shared scores and argmax of {@code rows}, and the plaintext ones. */
  private static double maxErrorAndCheck(
      Mlp model, double[][] rows, int[] expectedLabels, String what) {
    SharedMlp.Split shared = SharedMlp.split(model, FP, Prg.fresh());
    int k = model.inputs(), c = model.outputs(), n = rows.length;
    long[] x = new long[n * k];
    for (int r = 0; r < n; r++) System.arraycopy(FP.encode(rows[r]), 0, x, r * k, k);
    long[][] xs = Shares.split(x, Prg.fresh());
    var result =
        InProcess.run(
            p -> SecureMlp.infer(p, shared.party(p.id()), xs[p.id()], n, true),
            FP,
            shared.masks().dealer());
    double[] scores =
        FP.decode(InProcess.reveal(List.of(result.party0().scores(), result.party1().scores())));
    long[] argmax = InProcess.reveal(List.of(result.party0().argmax(), result.party1().argmax()));
    double maxError = 0;
    for (int r = 0; r < n; r++) {
      double[] plain = model.scores(rows[r]);
      for (int j = 0; j < c; j++)
        maxError = Math.max(maxError, Math.abs(plain[j] - scores[r * c + j]));
      assertEquals(Mlp.argmax(plain), argmax[r], what + " row " + r);
      if (expectedLabels != null)
        assertEquals(expectedLabels[r], argmax[r], what + " row " + r + " vs the reference model");
    }
    System.out.printf(
        "%s: %d rows, shared = plaintext prediction on all; largest score error %.3g (%.1f units of 2^-%d); "
            + "%d rounds, %d bytes sent per party%n",
        what,
        n,
        maxError,
        maxError / FP.ulp(),
        FP.fracBits(),
        result.rounds(),
        result.bytesPerParty());
    return maxError;
  }

  @Test
  void mnistMlpOn500TestDigits() {
    Mlp model = SmpcModels.mnist();
    MnistDigits test = MnistDigits.testSplit();
    int correct = 0;
    for (int i = 0; i < test.labels().length; i++) {
      if (Mlp.argmax(model.scores(test.images()[i])) == test.labels()[i]) correct++;
    }
    System.out.printf(
        "mnist-mlp plaintext accuracy: %d/%d = %.4f%n",
        correct, test.labels().length, correct / (double) test.labels().length);
    assertEquals(1919, correct, "the bundled model's test accuracy as train_mlp.py reported it");
    double worst = 0;
    for (int batch = 0; batch < 5; batch++) {
      double[][] rows = java.util.Arrays.copyOfRange(test.images(), batch * 100, batch * 100 + 100);
      worst =
          Math.max(
              worst,
              maxErrorAndCheck(
                  model, rows, null, "mnist-mlp digits " + batch * 100 + "-" + (batch * 100 + 99)));
    }
    assertTrue(worst < 0.01, "largest logit error " + worst);
  }

  @Test
  void theCkksFunctionsLogisticModelOn500TestDigits() {
    // the 784→10 model encrypted-mnist serves under CKKS: shared predictions = MnistLinearModel's
    // on 500 digits
    dev.veil.functions.mnist.MnistLinearModel reference =
        dev.veil.functions.mnist.MnistLinearModel.bundled();
    MnistDigits test = MnistDigits.testSplit();
    double[][] rows = java.util.Arrays.copyOf(test.images(), 500);
    int[] expected = new int[500];
    for (int r = 0; r < 500; r++) expected[r] = reference.predict(rows[r]);
    double worst =
        maxErrorAndCheck(SmpcModels.mnistLogistic(), rows, expected, "mnist-logistic digits 0-499");
    assertTrue(worst < 0.01, "largest logit error " + worst);
  }

  @Test
  void breastCancerOnAll114ValidationRows() {
    BreastCancerModel reference = BreastCancerModel.bundled();
    WdbcData validation = WdbcData.validation();
    assertEquals(114, validation.labels().length);
    double[][] z = new double[114][];
    for (int r = 0; r < 114; r++) z[r] = SmpcModels.standardize(validation.features()[r]);
    int[] expected = reference.predict(validation.features()).labels();
    double worst =
        maxErrorAndCheck(SmpcModels.breastCancer(), z, expected, "breast-cancer validation");
    assertTrue(worst < 0.01, "largest score error " + worst);
  }

  @Test
  void accuracyCountOnSharesEqualsThePlaintextCount() {
    Mlp model = SmpcModels.mnist();
    MnistDigits test = MnistDigits.testSplit();
    int n = 200;
    SharedMlp.Split shared = SharedMlp.split(model, FP, Prg.fresh());
    long[] x = new long[n * 784];
    long[] labels = new long[n];
    int expected = 0;
    for (int r = 0; r < n; r++) {
      System.arraycopy(FP.encode(test.images()[r]), 0, x, r * 784, 784);
      labels[r] = test.labels()[r];
      if (Mlp.argmax(model.scores(test.images()[r])) == test.labels()[r]) expected++;
    }
    long[][] xs = Shares.split(x, Prg.fresh());
    long[][] ls = Shares.split(labels, Prg.fresh());
    var result =
        InProcess.run(
            p ->
                SecureMlp.correctCount(
                    p,
                    SecureMlp.infer(p, shared.party(p.id()), xs[p.id()], n, true).argmax(),
                    ls[p.id()]),
            FP,
            shared.masks().dealer());
    assertEquals(expected, result.party0());
    assertEquals(expected, result.party1());
    System.out.printf(
        "accuracy under sharing: %d/%d correct, only the count opened%n", result.party0(), n);
  }
}
