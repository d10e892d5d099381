package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.Azurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flow 1 from a real browser: clients/js in headless Chromium (node-seal's web build) fetches
 * he-params from the real host, generates keys, encrypts MNIST digits, calls encrypted-mnist and
 * decrypts (clients/js/browser/e2e.js; the key bundle goes to the real Azurite). Fails when
 * Chromium is missing.
 */
class EncryptedBrowserTest {

  private static final Path E2E = Path.of("..", "clients", "js", "browser", "e2e.js");

  @TempDir Path dir;

  @Test
  void mnistDigitsRoundTripThroughHeadlessChromium() throws Exception {
    double[][] digits =
        Arrays.copyOf(MnistDigits.testSplit().images(), 4); // two ciphertexts of two digits
    Path input = dir.resolve("digits.json");
    Files.writeString(input, EncryptedHost.JSON.writeValueAsString(digits));
    ProcessBuilder pb =
        new ProcessBuilder(
                "node",
                E2E.toString(),
                "--url",
                EncryptedHost.url(),
                "--function",
                "encrypted-mnist",
                "--key-id",
                "browser-" + System.nanoTime(),
                "--container",
                "veil-browser",
                "--input",
                input.toString())
            .redirectErrorStream(true);
    pb.environment().put("VEIL_KEYS_CONNECTION_STRING", Azurite.connectionString());
    pb.environment().put("VEIL_FUNCTION_KEY", EncryptedHost.hostKey());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "browser e2e failed:\n" + out);
    String[] lines = out.strip().split("\n");
    JsonNode result = EncryptedHost.JSON.readTree(lines[lines.length - 1]);
    assertTrue(
        result.get("user_agent").asText().contains("HeadlessChrome"),
        result.get("user_agent").asText());

    MnistLinearModel model = MnistLinearModel.bundled();
    assertEquals(digits.length, result.get("scores").size());
    double maxError = 0;
    for (int i = 0; i < digits.length; i++) {
      double[] plain = model.scores(digits[i]);
      double[] decrypted = new double[plain.length];
      for (int k = 0; k < plain.length; k++) {
        decrypted[k] = result.get("scores").get(i).get(k).asDouble();
        maxError = Math.max(maxError, Math.abs(plain[k] - decrypted[k]));
      }
      assertEquals(
          MnistLinearModel.argmax(plain), MnistLinearModel.argmax(decrypted), "digit " + i);
    }
    System.out.printf(
        "encrypted-mnist from %s: %d digits, max abs score error %.3g, bundle %d bytes%n",
        result.get("user_agent").asText(),
        digits.length,
        maxError,
        result.get("bundle_bytes").asLong());
    assertTrue(maxError < 1e-3, "max abs error " + maxError);
  }
}
