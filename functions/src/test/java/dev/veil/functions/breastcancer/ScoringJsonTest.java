package dev.veil.functions.breastcancer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.http.FunctionFailure;
import org.junit.jupiter.api.Test;

class ScoringJsonTest {

  @Test
  void parsesRowsOfNumbers() {
    double[][] rows = ScoringJson.parseRows("{\"data\": [[1, 2.5, -3e2], [0, 0.125, 7]]}", 3);
    assertArrayEquals(new double[] {1, 2.5, -300}, rows[0]);
    assertArrayEquals(new double[] {0, 0.125, 7}, rows[1]);
  }

  @Test
  void namesEachKindOfBadInput() {
    assertRejected(null, "request body is empty");
    assertRejected("  ", "request body is empty");
    assertRejected("{\"data\": [[1, 2, 3]", "request body is not valid JSON");
    assertRejected("{\"data\": [[1, 2, 3]]} trailing", "request body is not valid JSON");
    assertRejected("{\"data\": [[NaN, 2, 3]]}", "request body is not valid JSON");
    assertRejected("[[1, 2, 3]]", "request body must be a JSON object");
    assertRejected("{\"rows\": [[1, 2, 3]]}", "\"data\" must be an array of rows");
    assertRejected("{\"data\": \"1,2,3\"}", "\"data\" must be an array of rows");
    assertRejected("{\"data\": []}", "\"data\" is empty");
    assertRejected(
        "{\"data\": [[1, 2, 3], 4]}", "data[1] must be an array of 3 numbers, found number");
    assertRejected(
        "{\"data\": [[1, 2, 3], [1, 2]]}", "data[1] has 2 values; the model expects 3 features");
    assertRejected("{\"data\": [[1, \"2\", 3]]}", "data[0][1] is not a number: \"2\"");
    assertRejected("{\"data\": [[1, 2, null]]}", "data[0][2] is not a number: null");
    assertRejected("{\"data\": [[true, 2, 3]]}", "data[0][0] is not a number: true");
    assertRejected("{\"data\": [[1, 2, 1e400]]}", "data[0][2] is out of range for a double");
  }

  @Test
  void limitsTheBatchSize() {
    String body = "{\"data\": [" + "[1,2,3],".repeat(ScoringJson.MAX_ROWS) + "[1,2,3]]}";
    assertRejected(
        body,
        "\"data\" has " + (ScoringJson.MAX_ROWS + 1) + " rows; at most " + ScoringJson.MAX_ROWS);
  }

  @Test
  void writesPredictionsAsJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode out =
        json.readTree(
            ScoringJson.predictions(
                new BreastCancerModel.Prediction(
                    new int[] {1, 0}, new double[][] {{0.25, 0.75}, {0.875, 0.125}})));
    assertEquals("[1,0]", out.get("predictions").toString());
    assertEquals("[[0.25,0.75],[0.875,0.125]]", out.get("probabilities").toString());
  }

  private static void assertRejected(String body, String expectedPart) {
    FunctionFailure e = assertThrows(FunctionFailure.class, () -> ScoringJson.parseRows(body, 3));
    assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
  }
}
