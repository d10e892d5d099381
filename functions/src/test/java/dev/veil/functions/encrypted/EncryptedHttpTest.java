package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyRef;
import dev.veil.testkit.Azurite;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encrypted functions' HTTP contract up to the point where a ciphertext is evaluated:
 * he-params, authorization, and the requests refused before any key is deserialized (real host,
 * real Azurite).
 */
class EncryptedHttpTest {

  private static final byte[] SOME_BYTES =
      "not inspected before the key checks".getBytes(StandardCharsets.UTF_8);

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asInt()));
    return out;
  }

  @Test
  void heParamsDescribeParametersLayoutAndExactRotations() throws Exception {
    JsonNode mnist = EncryptedHost.heParams("encrypted-mnist");
    assertEquals(
        List.of(1, 2, 3, 4, 8, 12, 16, 32, 64, 128, 256, 512), ints(mnist.get("galois_steps")));
    assertFalse(mnist.get("relin_keys").asBoolean());
    assertEquals(1, mnist.get("levels_needed").asInt());
    JsonNode set = mnist.get("parameter_sets").get(0);
    assertEquals(8192, set.get("poly_modulus_degree").asInt());
    assertEquals(List.of(60, 40, 60), ints(set.get("coeff_modulus_bits")));
    assertEquals(2, set.get("samples_per_ciphertext").asInt());
    assertEquals(784, mnist.get("input").get("features").asInt());
    assertEquals(2048, mnist.get("input").get("window").asInt());
    assertEquals(10, mnist.get("output").get("count").asInt());
    assertEquals(12, mnist.get("rotations").get("per_ciphertext").asInt());
    assertEquals(783, mnist.get("rotations").get("baseline_per_sample").asInt());

    JsonNode cancer = EncryptedHost.heParams("encrypted-breast-cancer");
    assertEquals(List.of(1, 2, 3, 4, 8, 12, 16, 17), ints(cancer.get("galois_steps")));
    assertTrue(cancer.get("relin_keys").asBoolean());
    assertEquals(4, cancer.get("levels_needed").asInt());
    assertEquals(
        List.of("fast", "notebook"),
        List.of(
            cancer.get("parameter_sets").get(0).get("name").asText(),
            cancer.get("parameter_sets").get(1).get("name").asText()));
    assertEquals(
        List.of(40, 30, 30, 30, 30, 30, 30, 40),
        ints(cancer.get("parameter_sets").get(1).get("coeff_modulus_bits")));
    assertEquals(128, cancer.get("parameter_sets").get(1).get("samples_per_ciphertext").asInt());
    assertEquals(30, cancer.get("input").get("standardize").get("mean").size());
    assertEquals("softmax", cancer.get("output").get("postprocess").asText());
    assertTrue(
        4 * cancer.get("rotations").get("per_ciphertext").asInt()
            <= cancer.get("rotations").get("baseline_per_sample").asInt());
  }

  @Test
  void evaluationNeedsAFunctionKey() throws Exception {
    HttpResponse<String> res =
        EncryptedHost.HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        EncryptedHost.url() + "/api/encrypted-mnist?container=veil-keys&key_id=a"))
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(SOME_BYTES))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, res.statusCode());
  }

  @Test
  void refusedBeforeEvaluationWithClearMessages() throws Exception {
    HttpResponse<byte[]> missing =
        EncryptedHost.post("encrypted-mnist", SOME_BYTES, "container=veil-keys&key_id=nobody");
    assertEquals(404, missing.statusCode());
    assertTrue(
        error(missing).contains("no key bundle 'nobody' in container 'veil-keys'"), error(missing));

    HttpResponse<byte[]> noContainer =
        EncryptedHost.post("encrypted-breast-cancer", SOME_BYTES, "key_id=k");
    assertEquals(400, noContainer.statusCode());
    assertTrue(error(noContainer).contains("container is required"), error(noContainer));

    HttpResponse<byte[]> traversal =
        EncryptedHost.post(
            "encrypted-mnist", SOME_BYTES, "container=veil-keys&key_id=..%2F..%2Fetc");
    assertEquals(400, traversal.statusCode());
    assertTrue(error(traversal).startsWith("key_id"), error(traversal));

    BlobKeyStore store = BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1 << 20);
    String junk = "junk-" + System.nanoTime();
    store.upload(new KeyRef("veil-keys", junk), "not a bundle".getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> bad =
        EncryptedHost.post("encrypted-mnist", SOME_BYTES, "container=veil-keys&key_id=" + junk);
    assertEquals(400, bad.statusCode());
    assertTrue(error(bad).contains("VEILKEYS"), error(bad));

    HttpResponse<String> connStr =
        EncryptedHost.postJson(
            "encrypted-mnist",
            "{\"data\":\"AAAA\",\"key_id\":\"a\","
                + "\"container\":\"veil-keys\",\"conn_str\":\"DefaultEndpointsProtocol=https;AccountName=x;AccountKey=eA==\"}");
    assertEquals(400, connStr.statusCode());
    assertTrue(connStr.body().contains("conn_str is not accepted"), connStr.body());
    assertFalse(connStr.body().contains("AccountKey"), connStr.body());

    HttpResponse<String> notJson = EncryptedHost.postJson("encrypted-mnist", "{\"data\": 12");
    assertEquals(400, notJson.statusCode());
    assertTrue(notJson.body().contains("not valid JSON"), notJson.body());
  }

  private static String error(HttpResponse<byte[]> res) throws Exception {
    return EncryptedHost.JSON.readTree(res.body()).get("error").asText();
  }
}
