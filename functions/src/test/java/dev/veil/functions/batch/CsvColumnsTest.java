package dev.veil.functions.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.breastcancer.WdbcData;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A header row names the columns; id and label columns are not features, so the shipped data scores
 * as it is.
 */
class CsvColumnsTest {

  @Test
  void theShippedTrainingFileScoresWithoutErrors() throws Exception {
    List<String> lines = Files.readAllLines(WdbcData.CSV);
    CsvColumns columns = CsvColumns.fromHeader(lines.get(0));
    assertArrayEquals(WdbcData.load().features()[0], columns.features(lines.get(1)));

    try (BatchScorer scorer =
            new BatchScorer(new BatchScorer.Settings(50, 2, 0, RowScorer.Model.AUTO));
        InputStream in = Files.newInputStream(WdbcData.CSV)) {
      BatchScorer.Result result = scorer.score("wdbc.csv", in, rows -> {});
      assertTrue(result.succeeded(), result.summaryJson());
      assertEquals(lines.size() - 1, result.rows());
      assertEquals(0, result.errors(), result.summaryJson());
    }
  }

  @Test
  void idAndLabelColumnsAnywhereAreSkippedOthersKept() {
    CsvColumns columns = CsvColumns.fromHeader("ID, a ,\"label\",b,Class");
    assertArrayEquals(new double[] {1.5, 2}, columns.features("p-17,1.5,M,2,benign"));
    assertEquals(
        "row has 3 columns; the header names 5",
        assertThrows(IllegalArgumentException.class, () -> columns.features("1,2,3")).getMessage());
    // a feature that is not a number is still an error naming it
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> columns.features("x,oops,M,2,c"))
            .getMessage()
            .contains("'oops'"));
    assertArrayEquals(new double[] {1, 2}, CsvColumns.fromHeader("a,b").features("1,2"));
  }
}
