package dev.veil.functions.breastcancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The breast-cancer function on the real Veil host, called over real HTTP. */
class BreastCancerHttpTest {
  private static final long BODY_LIMIT = 256 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir static Path dir;
  private static VeilHost host;
  private static URI uri;
  private static String key;

  @BeforeAll
  static void startHost() throws Exception {
    host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .configDirectory(dir)
                    .dataDirectory(dir.resolve("data"))
                    .hostJson(
                        new JsonObject()
                            .put("version", "2.0")
                            .put(
                                "veil",
                                new JsonObject()
                                    .put(
                                        "http",
                                        new JsonObject().put("maxRequestBodyBytes", BODY_LIMIT))))
                    .functionClass(BreastCancerFunction.class))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    uri = URI.create("http://127.0.0.1:" + host.port() + "/api/breast-cancer");
    key = host.keys().functionKey("breast-cancer");
  }

  @AfterAll
  static void stopHost() throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void scoresTheValidationSplitLikeTheModel() throws Exception {
    WdbcData validation = WdbcData.validation();
    ObjectNode body = JSON.createObjectNode();
    ArrayNode data = body.putArray("data");
    for (double[] row : validation.features()) {
      ArrayNode r = data.addArray();
      for (double v : row) {
        r.add(v);
      }
    }
    HttpResponse<String> response = post(body.toString(), key);
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    JsonNode out = JSON.readTree(response.body());
    BreastCancerModel.Prediction expected =
        BreastCancerModel.bundled().predict(validation.features());
    assertEquals(114, out.get("predictions").size());
    int correct = 0;
    for (int i = 0; i < 114; i++) {
      int label = out.get("predictions").get(i).asInt();
      assertEquals(expected.labels()[i], label);
      assertEquals(
          expected.probabilities()[i][0], out.get("probabilities").get(i).get(0).asDouble(), 1e-15);
      assertEquals(
          expected.probabilities()[i][1], out.get("probabilities").get(i).get(1).asDouble(), 1e-15);
      correct += label == validation.labels()[i] ? 1 : 0;
    }
    assertEquals(BreastCancerModel.bundled().reportedValidation().correct(), correct);
  }

  @Test
  void acceptsTheKeyAsCodeQueryParameter() throws Exception {
    String row = "[" + "1,".repeat(29) + "1]";
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(uri + "?code=" + key))
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\": [" + row + "]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, JSON.readTree(response.body()).get("predictions").size());
  }

  @Test
  void answersEveryBadInputWith400NamingTheProblem() throws Exception {
    String row29 = "[" + "1,".repeat(28) + "1]";
    String row30 = "[" + "1,".repeat(29) + "1]";
    assertError(post("{\"data\": [[1, 2", key), 400, "request body is not valid JSON");
    assertError(post("", key), 400, "request body is empty");
    assertError(post("{\"data\": []}", key), 400, "\"data\" is empty");
    assertError(post("{\"rows\": [" + row30 + "]}", key), 400, "\"data\" must be an array of rows");
    assertError(
        post("{\"data\": [" + row30 + "," + row29 + "]}", key),
        400,
        "data[1] has 29 values; the model expects 30 features");
    assertError(
        post("{\"data\": [" + row30.replaceFirst("1", "\"abc\"") + "]}", key),
        400,
        "data[0][0] is not a number: \"abc\"");
    assertError(
        post("{\"data\": [" + row30.replaceFirst("1,1", "1,1e999") + "]}", key),
        400,
        "data[0][1] is out of range for a double");
  }

  @Test
  void refusesOversizedBodiesUnauthorisedCallersAndOtherMethods() throws Exception {
    String row30 = "[" + "1,".repeat(29) + "1]";
    String huge =
        "{\"data\": [" + (row30 + ",").repeat((int) (BODY_LIMIT / row30.length())) + row30 + "]}";
    assertError(post(huge, key), 400, "limit of " + BODY_LIMIT + " bytes");
    assertError(post("{\"data\": [" + row30 + "]}", null), 401, "needs a valid");
    assertError(post("{\"data\": [" + row30 + "]}", "wrong-key"), 401, "needs a valid");
    HttpResponse<String> get =
        CLIENT.send(
            HttpRequest.newBuilder(uri).header("x-functions-key", key).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertError(get, 405, "is not allowed");
  }

  private static HttpResponse<String> post(String body, String functionKey) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (functionKey != null) {
      request.header("x-functions-key", functionKey);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> response, int status, String expectedPart)
      throws Exception {
    assertEquals(status, response.statusCode(), response.body());
    String error = JSON.readTree(response.body()).get("error").asText();
    assertTrue(error.contains(expectedPart), error);
  }
}
