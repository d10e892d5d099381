package dev.veil.functions.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.breastcancer.WdbcData;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
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
    return new BatchCli()
        .run(
            List.of(args),
            new PrintStream(out, true, StandardCharsets.UTF_8),
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
      expected.add(
          new JsonObject()
              .put("file", "a.csv")
              .put("row", expected.size() + 1)
              .put(
                  "prediction",
                  BreastCancerModel.bundled().predict(new double[][] {row}).labels()[0])
              .encode());
    }
    rows.add(5, "1,2,not-a-number");
    expected.add(5, null); // an error
    for (int i = 6; i < expected.size(); i++) { // the rows after it move down by one
      expected.set(i, new JsonObject(expected.get(i)).put("row", i + 1).encode());
    }
    Files.write(dir.resolve("a.csv"), rows);
    Files.writeString(dir.resolve("notes.txt"), "not scored");
    Path outDir = dir.resolve("out");

    assertEquals(
        0,
        run(
            dir.toString(),
            "--out",
            outDir.toString(),
            "--mini-batch-size",
            "4",
            "--parallelism",
            "3",
            "--function",
            "breast-cancer"),
        err.toString());
    List<String> lines = Files.readAllLines(outDir.resolve("a.csv.predictions.jsonl"));
    assertEquals(expected.size(), lines.size());
    for (int i = 0; i < lines.size(); i++) {
      if (i != 5) assertEquals(new JsonObject(expected.get(i)), new JsonObject(lines.get(i)));
    }
    JsonObject error = new JsonObject(lines.get(5));
    assertEquals(6, error.getInteger("row"));
    assertTrue(error.getString("error").contains("column 2 is not a finite number"), lines.get(5));
    assertTrue(Files.readString(outDir.resolve("a.csv.summary.json")).contains("\"errors\" : 1"));
    assertFalse(Files.exists(outDir.resolve("notes.txt.predictions.jsonl")));
    assertTrue(out.toString().contains("1 of 1 files scored"), out.toString());
  }

  @Test
  void noFileNamePassesForAnError() {
    String row =
        Arrays.stream(WdbcData.load().features()[0])
            .mapToObj(Double::toString)
            .collect(Collectors.joining(","));
    try (BatchScorer scorer =
        new BatchScorer(new BatchScorer.Settings(2, 1, 0, RowScorer.model("breast-cancer")))) {
      for (String name :
          List.of("x:error:y.csv", "a:b.csv", ":error:.csv", "two\nlines:error:z.csv")) {
        BatchScorer.Result result =
            scorer.score(
                name,
                new ByteArrayInputStream(
                    (row + "\n" + row + "\n").getBytes(StandardCharsets.UTF_8)),
                rows -> {});
        assertTrue(result.succeeded(), name);
        assertEquals(0, result.errors(), name);
        List<String> lines = result.predictions().lines().toList();
        assertEquals(
            2, lines.size(), "one line per row, whatever the name holds: " + result.predictions());
        for (String line : lines) {
          JsonObject parsed = new JsonObject(line);
          assertEquals(name, parsed.getString("file"));
          assertFalse(parsed.containsKey("error"), line);
        }
      }
    }
  }

  @Test
  void aFileOverTheErrorThresholdFails(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("bad.jsonl"), List.of("[1,2]", "{}", "nonsense"));
    assertEquals(1, run(dir.resolve("bad.jsonl").toString(), "--error-threshold", "1"));
    assertFalse(Files.exists(dir.resolve("bad.jsonl.predictions.jsonl")));
    assertTrue(
        Files.readString(dir.resolve("bad.jsonl.summary.json"))
            .contains("\"status\" : \"failed\""));
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
