package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.Azurite;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the client can read from a result: all slots decrypted (real host, real Azurite, he-native
 * client keys). Only the outputs carry values; every other slot — where unmasked plans leave
 * partial sums of the weights — is noise below 1e-3, and the outputs still equal the plaintext
 * model's.
 */
class EncryptedOutputMaskTest {

  /** Posts one full ciphertext of samples; returns all decrypted slots. */
  private static double[] evaluate(String function, String set, List<double[]> samples)
      throws Exception {
    JsonNode params = EncryptedHost.heParams(function);
    try (EncryptedClient client = new EncryptedClient(params, set)) {
      KeyRef ref = new KeyRef("veil-mask", function + "-" + set + "-" + System.nanoTime());
      KeyBundle bundle = client.keyBundle();
      BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1L << 30)
          .upload(ref, bundle.encode());
      HttpResponse<byte[]> res =
          EncryptedHost.post(
              function,
              client.encrypt(samples),
              "container=" + ref.container() + "&key_id=" + ref.keyId());
      assertEquals(200, res.statusCode(), new String(res.body(), StandardCharsets.UTF_8));
      assertStageTimes(res.headers().firstValue("server-timing").orElse(""));
      // SEAL header byte 5, compr_mode: none under MNIST's 60-bit last prime (zstd gains nothing
      // there), zstd under breast cancer's 40-bit one
      assertEquals(function.equals("encrypted-mnist") ? 0 : 2, res.body()[5], "compr_mode");
      return client.decryptSlots(res.body());
    }
  }

  /** The function's stages, in order, each with a duration in milliseconds (Server-Timing). */
  private static void assertStageTimes(String header) {
    List<String> names = new java.util.ArrayList<>();
    for (String metric : header.split(", ")) {
      String[] parts = metric.split(";dur=");
      assertEquals(2, parts.length, header);
      names.add(parts[0]);
      assertTrue(Double.parseDouble(parts[1]) >= 0, header);
    }
    assertEquals(List.of("parse", "keys", "load", "eval", "save"), names, header);
  }

  /** Checks outputs against {@code plain} (per sample) and every non-output slot against 1e-3. */
  private static void assertOnlyOutputs(
      String label, double[] slots, int window, double[][] plain, double tolerance) {
    int outputs = plain[0].length;
    double maxLeak = 0;
    double maxError = 0;
    for (int j = 0; j < slots.length; j++) {
      int sample = j / window;
      int k = j % window;
      if (k >= outputs) {
        maxLeak = Math.max(maxLeak, Math.abs(slots[j]));
      } else if (sample < plain.length) {
        maxError = Math.max(maxError, Math.abs(slots[j] - plain[sample][k]));
      }
    }
    for (int s = 0; s < plain.length; s++) {
      double[] got = Arrays.copyOfRange(slots, s * window, s * window + outputs);
      assertEquals(
          MnistLinearModel.argmax(plain[s]), MnistLinearModel.argmax(got), label + " sample " + s);
    }
    System.out.printf(
        "%s: max |non-output slot| %.3g, max output error %.3g%n", label, maxLeak, maxError);
    assertTrue(maxLeak < 1e-3, label + ": a non-output slot decrypts to " + maxLeak);
    assertTrue(maxError < tolerance, label + ": output error " + maxError);
  }

  @Test
  void mnistResultHoldsOnlyTheScores() throws Exception {
    JsonNode params = EncryptedHost.heParams("encrypted-mnist");
    int window = params.get("input").get("window").asInt();
    List<double[]> digits = Arrays.asList(Arrays.copyOf(MnistDigits.testSplit().images(), 2));
    double[] slots = evaluate("encrypted-mnist", "default", digits);
    MnistLinearModel model = MnistLinearModel.bundled();
    double[][] plain = digits.stream().map(model::scores).toArray(double[][]::new);
    assertOnlyOutputs("encrypted-mnist", slots, window, plain, 1e-3);
  }

  @Test
  void breastCancerResultsHoldOnlyTheScoresInBothParameterSets() throws Exception {
    JsonNode params = EncryptedHost.heParams("encrypted-breast-cancer");
    int window = params.get("input").get("window").asInt();
    double[][] features = WdbcData.validation().features();
    BreastCancerModel model = BreastCancerModel.bundled();
    for (String set : List.of("fast", "notebook")) {
      int perCiphertext = 0;
      for (JsonNode s : params.get("parameter_sets")) {
        if (s.get("name").asText().equals(set)) {
          perCiphertext = s.get("samples_per_ciphertext").asInt();
        }
      }
      // all windows filled but one, which scores an empty (all-zero) sample
      double[][] samples = Arrays.copyOf(features, Math.min(features.length, perCiphertext - 1));
      double[] slots = evaluate("encrypted-breast-cancer", set, Arrays.asList(samples));
      assertOnlyOutputs(
          "encrypted-breast-cancer [" + set + "]", slots, window, model.scores(samples), 1e-3);
    }
  }
}
