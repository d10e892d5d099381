package dev.veil.functions.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new BatchCli().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void scoresAFolderIntoPredictionFiles(@TempDir Path dir) throws Exception {
    WdbcData data = WdbcData.load();
    List<String> rows = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int r = 0; r < 25; r++) {
      double[] row = data.features()[r];
      rows.add(Arrays.stream(row).mapToObj(Double::toString).collect(Collectors.joining(",")));
      expected.add("a.csv:" + BreastCancerModel.bundled().predict(new double[][] {row}).labels()[0]);
    }
    rows.add(5, "1,2,not-a-number");
    expected.add(5, "a.csv:error:");
    Files.write(dir.resolve("a.csv"), rows);
    Files.writeString(dir.resolve("notes.txt"), "not scored");
    Path outDir = dir.resolve("out");

    assertEquals(0, run(dir.toString(), "--out", outDir.toString(), "--mini-batch-size", "4", "--parallelism", "3",
        "--function", "breast-cancer"), err.toString());
    List<String> lines = Files.readAllLines(outDir.resolve("a.csv.predictions.txt"));
    assertEquals(expected.size(), lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertTrue(lines.get(i).startsWith(expected.get(i)), lines.get(i) + " vs " + expected.get(i));
    }
    assertTrue(lines.get(5).contains("column 2 is not a finite number"), lines.get(5));
    assertTrue(Files.readString(outDir.resolve("a.csv.summary.json")).contains("\"errors\" : 1"));
    assertFalse(Files.exists(outDir.resolve("notes.txt.predictions.txt")));
    assertTrue(out.toString().contains("1 of 1 files scored"), out.toString());
  }

  @Test
  void aFileOverTheErrorThresholdFails(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("bad.jsonl"), List.of("[1,2]", "{}", "nonsense"));
    assertEquals(1, run(dir.resolve("bad.jsonl").toString(), "--error-threshold", "1"));
    assertFalse(Files.exists(dir.resolve("bad.jsonl.predictions.txt")));
    assertTrue(Files.readString(dir.resolve("bad.jsonl.summary.json")).contains("\"status\" : \"failed\""));
  }

  @Test
  void badArgumentsAreNamed(@TempDir Path dir) {
    assertEquals(2, run());
    assertTrue(err.toString().contains("name a file or a folder"), err.toString());
    assertEquals(2, run(dir.resolve("missing.csv").toString()));
    assertTrue(err.toString().contains("does not exist"), err.toString());
    assertEquals(2, run(dir.toString(), "--parallelism", "many"));
    assertTrue(err.toString().contains("--parallelism needs a whole number"), err.toString());
    assertEquals(2, run(dir.toString(), "--function", "resnet"));
    assertTrue(err.toString().contains("unknown model 'resnet'"), err.toString());
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString().startsWith("usage: "), out.toString());
  }
}
