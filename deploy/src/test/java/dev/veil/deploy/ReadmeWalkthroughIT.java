package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.mnist.MnistLinearModel;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Your first encrypted prediction" runs as written: its {@code sh} blocks are
 * extracted and run in one bash, from the repository root, against the packaged host
 * (deploy/target/veil.jar) started in a scratch folder. Only three things are rewritten: the port
 * (the test takes a free one), {@code .veil/} (the scratch folder's, not the developer's) and the
 * secret-key folder (XDG_CONFIG_HOME in the scratch folder). The line that starts the host ({@code
 * scripts/run.sh}) is skipped: the test started it. The decrypted predictions must equal the
 * plaintext models' and the walkthrough must leave the repository's git status as it found it.
 */
class ReadmeWalkthroughIT {
  static final String SECTION = "## Your first encrypted prediction";
  private static final Path ROOT =
      Path.of(System.getProperty("veil.deploy.dir", ".")).toAbsolutePath().getParent();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The sh blocks of the section, in order. */
  static List<String> walkthrough(String readme) {
    int start = readme.indexOf("\n" + SECTION + "\n");
    assertTrue(start >= 0, "README.md has no section '" + SECTION + "'");
    int end = readme.indexOf("\n## ", start + SECTION.length() + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  @Test
  void readmeWalkthroughRunsVerbatimAgainstAStartedHost(@TempDir Path scratch) throws Exception {
    List<String> blocks = walkthrough(Files.readString(ROOT.resolve("README.md")));
    assertTrue(blocks.size() >= 2, "expected the host block and the client blocks, got " + blocks);
    String before = git("status", "--porcelain", "--untracked-files=all");

    Path hostDir = Files.createDirectories(scratch.resolve("host"));
    Path config = scratch.resolve("config");
    try (HostProcess host =
        HostProcess.start(
            List.of(
                HostProcess.java(),
                "-Xmx2g",
                "-jar",
                ROOT.resolve("deploy/target/veil.jar").toString(),
                "start",
                "--port",
                "0"),
            hostDir,
            Map.of("KAFKA_BROKERS", ""))) { // as scripts/run.sh declares it
      String base = host.uri("").toString();
      StringBuilder script = new StringBuilder("set -euo pipefail\n");
      for (String block : blocks) {
        for (String line : block.split("\n")) {
          if (line.startsWith("scripts/run.sh")) {
            continue; // the test started the host
          }
          script
              .append(
                  line.replace("http://127.0.0.1:7071", base)
                      .replace("./.veil/", hostDir.resolve(".veil") + "/")
                      .replace(" .veil/", " " + hostDir.resolve(".veil") + "/"))
              .append('\n');
        }
      }
      ProcessBuilder bash =
          new ProcessBuilder("bash", "-c", script.toString())
              .directory(ROOT.toFile())
              .redirectErrorStream(true);
      bash.environment().put("XDG_CONFIG_HOME", config.toString());
      bash.environment().put("JAVA", HostProcess.java());
      Process p = bash.start();
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the walkthrough did not finish");
      String output = new String(out, StandardCharsets.UTF_8);
      assertEquals(
          0,
          p.exitValue(),
          "the README walkthrough failed:\n"
              + script
              + "\noutput:\n"
              + output
              + "\nhost log:\n"
              + host.log());

      // The start-up log shows the keys file the walkthrough reads and the encrypted functions'
      // URLs.
      assertTrue(host.log().contains("keys: " + hostDir.resolve(".veil/keys.json")), host.log());
      assertTrue(
          host.log().contains(base + "/api/encrypted-breast-cancer/keys/{key_id}"), host.log());

      List<JsonNode> predictions = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (line.startsWith("{\"label\"")) {
          predictions.add(JSON.readTree(line));
        }
      }
      assertEquals(2, predictions.size(), "expected two decrypted predictions:\n" + output);
      double[] row =
          Arrays.stream(
                  Files.readAllLines(ROOT.resolve("samples/breast-cancer.csv")).get(1).split(","))
              .skip(1)
              .limit(30)
              .mapToDouble(Double::parseDouble)
              .toArray();
      assertEquals(
          BreastCancerModel.bundled().predict(new double[][] {row}).labels()[0],
          predictions.get(0).get("label").asInt(),
          output);
      assertEquals(
          MnistLinearModel.bundled().predict(pixels(ROOT.resolve("samples/digit-7.png"))),
          predictions.get(1).get("label").asInt(),
          output);

      // Secret keys went to the per-user folder, owner-only; the repository is left as it was.
      for (String keyId : List.of("bob", "alice")) {
        Path state = config.resolve("veil/" + keyId + ".json");
        assertEquals(
            "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
      }
      assertEquals(
          before,
          git("status", "--porcelain", "--untracked-files=all"),
          "the walkthrough left files in the repository");
      assertFalse(
          output.contains(
              JSON.readTree(hostDir.resolve(".veil/keys.json").toFile())
                  .get("masterKey")
                  .asText()));
    }
  }

  private static double[] pixels(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    double[] out = new double[28 * 28];
    for (int i = 0; i < out.length; i++) {
      out[i] = (image.getRGB(i % 28, i / 28) & 0xFF) / 255.0;
    }
    return out;
  }

  private static String git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", ROOT.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}
