package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.Azurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both flows end to end: the real node-seal client (clients/js CLI) generates keys, uploads the
 * bundle to Azurite, encrypts real data, calls the real host over HTTP and decrypts; the decrypted
 * scores are compared with the plaintext models.
 */
class EncryptedInferenceEndToEndTest {

  private static final Path CLI = Path.of("..", "clients", "js", "bin", "veil-he.js");

  @TempDir Path dir;

  private JsonNode node(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", CLI.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("VEIL_KEYS_CONNECTION_STRING", Azurite.connectionString());
    pb.environment().put("VEIL_FUNCTION_KEY", EncryptedHost.hostKey());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "veil-he " + args[0] + " failed:\n" + out);
    String[] lines = out.strip().split("\n");
    return EncryptedHost.JSON.readTree(lines[lines.length - 1]);
  }

  /** keygen + upload, then batch; returns the decrypted scores per sample. */
  private double[][] runClient(String function, String parameterSet, double[][] samples)
      throws Exception {
    Path state = dir.resolve(function + "-" + parameterSet + ".json");
    JsonNode keygen =
        node(
            "keygen",
            "--url",
            EncryptedHost.url(),
            "--function",
            function,
            "--parameter-set",
            parameterSet,
            "--key-id",
            function + "-" + parameterSet + "-" + System.nanoTime(),
            "--container",
            "veil-e2e",
            "--state",
            state.toString());
    System.out.println(
        function + " [" + parameterSet + "] key bundle: " + keygen.get("bundle_bytes"));
    Path input = dir.resolve("samples.json");
    Files.writeString(input, EncryptedHost.JSON.writeValueAsString(samples));
    Path output = dir.resolve("results.json");
    JsonNode batch =
        node(
            "batch",
            "--state",
            state.toString(),
            "--input",
            input.toString(),
            "--output",
            output.toString());
    System.out.println(function + " [" + parameterSet + "] batch: " + batch);
    JsonNode results = EncryptedHost.JSON.readTree(output.toFile());
    double[][] scores = new double[results.size()][];
    for (int i = 0; i < scores.length; i++) {
      JsonNode s = results.get(i).get("scores");
      scores[i] = new double[s.size()];
      for (int k = 0; k < s.size(); k++) {
        scores[i][k] = s.get(k).asDouble();
      }
    }
    return scores;
  }

  @Test
  void fiveHundredMnistTestDigits() throws Exception {
    MnistDigits test = MnistDigits.testSplit();
    double[][] digits = Arrays.copyOf(test.images(), 500);
    double[][] encrypted = runClient("encrypted-mnist", "default", digits);
    MnistLinearModel model = MnistLinearModel.bundled();
    int agree = 0;
    double maxError = 0;
    for (int i = 0; i < digits.length; i++) {
      double[] plain = model.scores(digits[i]);
      agree += MnistLinearModel.argmax(plain) == MnistLinearModel.argmax(encrypted[i]) ? 1 : 0;
      for (int k = 0; k < plain.length; k++) {
        maxError = Math.max(maxError, Math.abs(plain[k] - encrypted[i][k]));
      }
    }
    System.out.printf(
        "encrypted-mnist: %d/%d argmax agree with plaintext, max abs score error %.3g%n",
        agree, digits.length, maxError);
    assertEquals(digits.length, agree);
    assertTrue(maxError < 1e-2, "max abs error " + maxError);
  }

  @Test
  void allBreastCancerValidationSamplesInBothParameterSets() throws Exception {
    WdbcData validation = WdbcData.validation();
    assertEquals(114, validation.features().length);
    BreastCancerModel model = BreastCancerModel.bundled();
    double[][] plain = model.scores(validation.features());
    for (String set : List.of("fast", "notebook")) {
      double[][] encrypted = runClient("encrypted-breast-cancer", set, validation.features());
      int agree = 0;
      double maxError = 0;
      for (int i = 0; i < plain.length; i++) {
        int plainLabel = plain[i][1] > plain[i][0] ? 1 : 0;
        int encLabel = encrypted[i][1] > encrypted[i][0] ? 1 : 0;
        agree += plainLabel == encLabel ? 1 : 0;
        for (int k = 0; k < 2; k++) {
          maxError = Math.max(maxError, Math.abs(plain[i][k] - encrypted[i][k]));
        }
      }
      System.out.printf(
          "encrypted-breast-cancer [%s]: %d/%d predictions equal plaintext, max abs score error %.3g%n",
          set, agree, plain.length, maxError);
      assertEquals(plain.length, agree, set);
      assertTrue(maxError <= 1e-3, set + ": max abs error " + maxError);
    }
  }
}
