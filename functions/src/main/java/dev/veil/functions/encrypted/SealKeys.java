package dev.veil.functions.encrypted;

import dev.veil.functions.http.FunctionFailure;
import dev.veil.he.GaloisKeys;
import dev.veil.he.RelinKeys;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * One client's deserialized evaluation keys with the engine for their parameters: what the key
 * cache holds.
 *
 * @param relinKeys null when the bundle has none
 */
public record SealKeys(
    SealEngine engine,
    GaloisKeys galoisKeys,
    RelinKeys relinKeys,
    long[] galoisElements,
    String fingerprint) {

  /**
   * Checks that these keys can evaluate {@code model}; the message names everything missing (HTTP
   * 400).
   */
  public void checkFits(EncryptedModel model, String function) {
    var context = engine.context();
    List<String> problems = new java.util.ArrayList<>();
    int rescales = context.dataLevels().size() - 1;
    if (rescales < model.levels()) {
      problems.add(
          "its parameters allow "
              + rescales
              + " rescale(s) but "
              + function
              + " needs "
              + model.levels()
              + " (add primes to coeff_modulus)");
    }
    TreeSet<Integer> missing = new TreeSet<>();
    int n = context.polyModulusDegree();
    for (int step : model.rotationSteps()) {
      if (Arrays.binarySearch(galoisElements, GaloisElements.forStep(step, n)) < 0) {
        missing.add(step);
      }
    }
    if (!missing.isEmpty()) {
      problems.add("its Galois keys lack rotation steps " + missing);
    }
    if (model.needsRelinKeys() && relinKeys == null) {
      problems.add("it has no relinearization keys, which " + function + " needs");
    }
    if (!problems.isEmpty()) {
      throw FunctionFailure.badInput(
          "the key bundle does not fit " + function + ": " + String.join("; ", problems));
    }
  }
}
