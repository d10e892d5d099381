package dev.veil.functions.encrypted;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.mnist.MnistLinearModel;
import java.util.List;

/**
 * What an encrypted function computes and which CKKS parameters it offers clients: the model's
 * layers, the parameter sets (the first is the default), and what the client does before encrypting
 * and after decrypting.
 *
 * @param standardizeMean null, or per-feature means the client subtracts before encrypting
 * @param standardizeStd null, or per-feature standard deviations the client divides by
 * @param postprocess what the client applies to the decrypted scores ("argmax", "softmax")
 */
public record EncryptedFunctionSpec(
    String name,
    List<EncryptedModel.Layer> layers,
    List<ParameterSet> parameterSets,
    double[] standardizeMean,
    double[] standardizeStd,
    String postprocess) {

  /** A CKKS parameter set offered to clients; primes chosen as SEAL's CoeffModulus.Create does. */
  public record ParameterSet(
      String name, int polyModulusDegree, int[] coeffModulusBits, int scaleBits, String note) {
    public int slotCount() {
      return polyModulusDegree / 2;
    }
  }

  /**
   * Flow 1: the 784→10 logistic regression, one rescale, N=8192 with 160 bits of modulus (≤ 218 for
   * 128-bit security).
   */
  public static EncryptedFunctionSpec mnist(MnistLinearModel model) {
    return new EncryptedFunctionSpec(
        "encrypted-mnist",
        List.of(new EncryptedModel.Linear(model.weights(), model.bias())),
        List.of(
            new ParameterSet(
                "default",
                8192,
                new int[] {60, 40, 60},
                40,
                "128-bit security (HomomorphicEncryption.org table: N=8192 allows 218 bits); one rescale")),
        null,
        null,
        "argmax");
  }

  /**
   * Flow 2: the 30→16→2 MLP with the cubic activation, four rescales. "notebook" is the seed
   * notebook's set (N=16384, [40,30×6,40], scale 2^30); "fast" (the default) keeps 128-bit security
   * at N=8192 with exactly the five data primes the depth needs (200 bits ≤ 218).
   */
  public static EncryptedFunctionSpec breastCancer(BreastCancerModel model) {
    double[] c = model.activationCoefficients();
    return new EncryptedFunctionSpec(
        "encrypted-breast-cancer",
        List.of(
            new EncryptedModel.Linear(model.hiddenWeights(), model.hiddenBias()),
            new EncryptedModel.Polynomial(
                coefficient(c, 0), coefficient(c, 1), coefficient(c, 2), coefficient(c, 3)),
            new EncryptedModel.Linear(model.outputWeights(), model.outputBias())),
        List.of(
            new ParameterSet(
                "fast",
                8192,
                new int[] {40, 30, 30, 30, 30, 40},
                30,
                "128-bit security at N=8192: exactly the 4 rescales the model needs, half the ring of the notebook's"),
            new ParameterSet(
                "notebook",
                16384,
                new int[] {40, 30, 30, 30, 30, 30, 30, 40},
                30,
                "the seed notebook's parameters")),
        model.scalerMean(),
        model.scalerStd(),
        "softmax");
  }

  private static double coefficient(double[] c, int i) {
    if (c.length > 4) {
      throw new IllegalArgumentException(
          "the activation polynomial has degree " + (c.length - 1) + "; at most 3 is supported");
    }
    return i < c.length ? c[i] : 0.0;
  }

  /** The plan for a given slot count. */
  public EncryptedModel model(int slotCount) {
    return EncryptedModel.of(layers, slotCount);
  }
}
