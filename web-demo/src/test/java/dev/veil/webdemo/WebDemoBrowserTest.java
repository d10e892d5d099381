package dev.veil.webdemo;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.encrypted.EncryptedBreastCancerFunction;
import dev.veil.functions.encrypted.EncryptedMnistFunction;
import dev.veil.functions.encrypted.KeyUploadFunctions;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page in headless Chromium against a real host serving the bundled encrypted functions
 * (web-demo/test/demo-e2e.js): a real MNIST test digit drawn onto the canvas and a breast-cancer
 * row picked with the keyboard are encrypted in the page, scored by the host and decrypted in the
 * page, and the page's classes equal the plaintext models'. Also: only ciphertext went to the host,
 * nothing left 127.0.0.1, no console errors, labelled controls. Screenshots in target/screenshots/.
 * Fails when Chromium is missing.
 */
class WebDemoBrowserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = Path.of("test", "demo-e2e.js");
  private static final Path DIGIT = Path.of("..", "samples", "digit-7.png");
  private static final Path DIGIT_2 = Path.of("..", "samples", "digit-2.png");
  private static final Path ROWS = Path.of("..", "samples", "breast-cancer.csv");
  private static final int ROW = 3; // wdbc-20, benign: not the row the form starts on

  @TempDir static Path dir;
  private static VeilHost host;

  @BeforeAll
  static void startHost() throws Exception {
    host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .configDirectory(dir)
                    .dataDirectory(dir.resolve("data"))
                    .setting(KeyStoreSettings.DIR, dir.resolve("keys").toString())
                    .functionClass(EncryptedMnistFunction.class)
                    .functionClass(EncryptedBreastCancerFunction.class)
                    .functionClass(KeyUploadFunctions.class))
            .toCompletionStage()
            .toCompletableFuture()
            .get(2, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stopHost() {
    if (host != null) host.close();
  }

  @Test
  void encryptedPredictionsInTheBrowserMatchThePlaintextModels() throws Exception {
    double[] digit = grayPixels(DIGIT);
    Path job = dir.resolve("job.json");
    Files.writeString(job, JSON.writeValueAsString(Map.of("digit", digit, "row", ROW)));
    JsonNode report = runPage(job);

    // the page, its policy and its controls
    JsonNode page = report.get("page");
    assertEquals(200, page.get("status").asInt());
    assertTrue(page.get("url").asText().endsWith("/demo/"), page.get("url").asText());
    String csp = page.get("csp").asText();
    assertTrue(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), csp);
    assertFalse(csp.contains("unsafe-inline") || csp.contains("'unsafe-eval'"), csp);
    assertEquals("[]", report.get("unlabelled").toString(), "controls without a label");
    assertEquals("[]", report.get("consoleErrors").toString(), "console errors");
    for (JsonNode e : report.get("wrongKeyConsole")) {
      assertTrue(e.asText().contains("status of 401"), "console error with the wrong key: " + e);
    }
    assertEquals("[]", report.get("outside").toString(), "requests that would leave 127.0.0.1");
    assertEquals("access-key", report.get("firstFocus").asText());
    assertTrue(report.get("strokeInk").asLong() > 0, "a mouse stroke shows in the 28×28 preview");
    assertTrue(
        report.get("wrongKey").asText().contains("key upload refused (HTTP 401)"),
        report.get("wrongKey").asText());
    assertEquals(
        0, report.get("clearedInk").asLong(), "Clear (pressed with Enter) empties the pad");

    // MNIST: the page's class is the plaintext model's for the 28×28 input the page encrypted, and
    // for the test digit itself (a 7)
    JsonNode mnist = report.get("mnist");
    assertTrue(mnist.get("shown").asBoolean(), mnist.toString());
    MnistLinearModel mnistModel = MnistLinearModel.bundled();
    double[] preview = doubles(mnist.get("preview"));
    double[] plainScores = mnistModel.scores(preview);
    double[] pageScores = doubles(mnist.get("scores"));
    assertAll(
        () -> assertEquals(MnistLinearModel.argmax(plainScores), mnist.get("labelClass").asInt()),
        () -> assertEquals(mnistModel.predict(digit), mnist.get("labelClass").asInt()),
        () -> assertEquals(7, mnist.get("labelClass").asInt()),
        () -> assertEquals(10, mnist.get("bars").asInt()),
        () -> assertTrue(maxAbsDifference(plainScores, pageScores) < 1e-2, mnist.toString()));
    List<byte[]> mnistBodies = posted(report, "/api/encrypted-mnist?");
    assertEquals(2, mnistBodies.size(), "POSTs to encrypted-mnist");
    assertOnlyCiphertext(mnistBodies.get(0), mnist, preview);

    // the sample digit 2, picked and drawn with the keyboard only
    JsonNode sample = report.get("mnistSample");
    assertEquals("mnist-sample", report.get("sampleFocus").asText());
    assertEquals("mnist-run", report.get("runFocus").asText());
    double[] samplePreview = doubles(sample.get("preview"));
    assertAll(
        () -> assertEquals(2, sample.get("labelClass").asInt(), sample.toString()),
        () ->
            assertEquals(
                mnistModel.predict(samplePreview),
                sample.get("labelClass").asInt(),
                sample.toString()),
        () ->
            assertEquals(
                mnistModel.predict(grayPixels(DIGIT_2)), sample.get("labelClass").asInt()));
    assertOnlyCiphertext(mnistBodies.get(1), sample, samplePreview);

    // breast cancer: the row picked with the keyboard, scored as the plaintext model scores it
    JsonNode bc = report.get("bc");
    assertTrue(bc.get("shown").asBoolean(), bc.toString());
    assertEquals("bc-row", report.get("rowFocus").asText());
    assertEquals("bc-f0", report.get("fieldFocus").asText());
    double[] row = csvRow(ROW);
    assertTrue(
        report.get("rowChosen").asText().startsWith("wdbc-20"), report.get("rowChosen").asText());
    assertTrue(Arrays.equals(row, doubles(report.get("rowValues"))));
    BreastCancerModel bcModel = BreastCancerModel.bundled();
    double[] bcPlain = bcModel.scores(new double[][] {row})[0];
    int bcLabel = bcModel.predict(new double[][] {row}).labels()[0];
    assertEquals(bcLabel, bc.get("labelClass").asInt());
    assertEquals(bcLabel == 1 ? "malignant" : "benign", bc.get("label").asText());
    assertEquals(2, bc.get("bars").asInt());
    assertTrue(maxAbsDifference(bcPlain, doubles(bc.get("scores"))) < 1e-2, bc.toString());
    List<byte[]> bcBodies = posted(report, "/api/encrypted-breast-cancer?");
    assertEquals(1, bcBodies.size(), "POSTs to encrypted-breast-cancer");
    assertOnlyCiphertext(bcBodies.get(0), bc, row);

    System.out.printf(
        "web demo: digit 7 -> %s in %.1f s (ciphertext %s), row %d -> %s in %.1f s (ciphertext %s);"
            + " each from the click to the chart: parameters, key generation, bundle upload,"
            + " encryption, evaluation, decryption%n",
        mnist.get("label").asText(),
        mnist.get("seconds").asDouble(),
        mnist.get("size").asText(),
        ROW,
        bc.get("label").asText(),
        bc.get("seconds").asDouble(),
        bc.get("size").asText());
  }

  /**
   * The body the host received is a SEAL ciphertext, is what the page showed (size and hex), and
   * holds none of the input's values in the clear.
   */
  private static void assertOnlyCiphertext(byte[] body, JsonNode shown, double[] input) {
    assertEquals(0x5E, body[0] & 0xFF, "SEAL serialization magic");
    assertEquals(0xA1, body[1] & 0xFF, "SEAL serialization magic");
    assertEquals(String.format(Locale.ROOT, "%,d bytes", body.length), shown.get("size").asText());
    String hex = HexFormat.ofDelimiter(" ").formatHex(body, 0, 48);
    assertEquals(hex + " …", shown.get("hex").asText());
    String text = new String(body, StandardCharsets.ISO_8859_1);
    for (double v : input) {
      if (v == 0) continue;
      for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
        byte[] asDouble = ByteBuffer.allocate(8).order(order).putDouble(v).array();
        assertFalse(
            text.contains(new String(asDouble, StandardCharsets.ISO_8859_1)),
            "the input value " + v + " is in the body");
      }
    }
    assertFalse(text.contains(Double.toString(input[input.length / 2])), "input as text");
  }

  private static List<byte[]> posted(JsonNode report, String urlPrefix) {
    List<byte[]> bodies = new ArrayList<>();
    for (JsonNode r : report.get("requests")) {
      if (r.get("method").asText().equals("POST") && r.get("url").asText().startsWith(urlPrefix)) {
        assertEquals("application/octet-stream", r.get("contentType").asText());
        bodies.add(Base64.getDecoder().decode(r.get("bodyBase64").asText()));
      }
    }
    return bodies;
  }

  private static JsonNode runPage(Path job) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "node",
                SCRIPT.toString(),
                "--url",
                "http://127.0.0.1:" + host.port(),
                "--input",
                job.toString(),
                "--screenshots",
                Path.of("target", "screenshots").toString())
            .redirectErrorStream(true);
    pb.environment().put("VEIL_FUNCTION_KEY", host.keys().hostKey());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(3, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), "demo e2e failed:\n" + out);
    String[] lines = out.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static double[] grayPixels(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(28, image.getWidth());
    double[] pixels = new double[28 * 28];
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        pixels[y * 28 + x] = image.getRaster().getSample(x, y, 0) / 255.0;
      }
    }
    return pixels;
  }

  private static double[] csvRow(int index) throws Exception {
    String[] cells = Files.readAllLines(ROWS).get(index + 1).split(",");
    return Arrays.stream(cells, 1, cells.length - 1).mapToDouble(Double::parseDouble).toArray();
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
    return out;
  }

  private static double maxAbsDifference(double[] a, double[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    return max;
  }
}
