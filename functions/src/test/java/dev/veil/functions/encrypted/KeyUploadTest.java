package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyBundleNotFoundException;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.Azurite;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PUT /api/&lt;function&gt;/keys/{key_id} on a real host whose key storage is Azurite: a good
 * bundle is stored where the function reads it (and then serves an encrypted request), anything
 * else is refused with a 400 naming the problem and nothing stored.
 */
class KeyUploadTest {

  private static final String CONTAINER = "veil-upload-test";
  private static JsonNode mnistParams;
  private static EncryptedClient mnist;
  private static KeyBundle mnistBundle;
  private static BlobKeyStore storage;

  @BeforeAll
  static void keys() throws Exception {
    mnistParams = EncryptedHost.heParams("encrypted-mnist");
    mnist = new EncryptedClient(mnistParams, null);
    mnistBundle = mnist.keyBundle();
    storage = BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1L << 30);
  }

  private static HttpResponse<String> put(String function, String keyId, byte[] body, String key)
      throws Exception {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(
                    EncryptedHost.url()
                        + "/api/"
                        + function
                        + "/keys/"
                        + keyId
                        + "?container="
                        + CONTAINER))
            .header("content-type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      req.header("x-functions-key", key);
    }
    return EncryptedHost.HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> res) throws Exception {
    return EncryptedHost.JSON.readTree(res.body()).get("error").asText();
  }

  @Test
  void uploadedBundleIsStoredAndServesEncryptedRequests() throws Exception {
    String keyId = "uploaded-" + System.nanoTime();
    byte[] bytes = mnistBundle.encode();
    HttpResponse<String> res = put("encrypted-mnist", keyId, bytes, EncryptedHost.hostKey());
    assertEquals(201, res.statusCode(), res.body());
    JsonNode reply = EncryptedHost.JSON.readTree(res.body());
    String fingerprint = SealKeysDecoder.fingerprint(mnistBundle.galoisKeys());
    assertEquals(fingerprint, reply.get("key_fingerprint").asText());
    assertArrayEquals(bytes, storage.download(new KeyRef(CONTAINER, keyId)).bytes());

    double[] digit = MnistDigits.testSplit().images()[3];
    HttpResponse<byte[]> scored =
        EncryptedHost.post(
            "encrypted-mnist",
            mnist.encrypt(List.of(digit)),
            "container=" + CONTAINER + "&key_id=" + keyId + "&key_fingerprint=" + fingerprint);
    assertEquals(200, scored.statusCode(), new String(scored.body(), StandardCharsets.UTF_8));
    double[] scores = mnist.decrypt(scored.body(), 1)[0];
    double[] plain = MnistLinearModel.bundled().scores(digit);
    for (int k = 0; k < 10; k++) {
      assertEquals(plain[k], scores[k], 1e-2);
    }
  }

  @Test
  void uploadNeedsAFunctionKey() throws Exception {
    String keyId = "anonymous-" + System.nanoTime();
    assertEquals(401, put("encrypted-mnist", keyId, mnistBundle.encode(), null).statusCode());
    assertThrows(
        KeyBundleNotFoundException.class, () -> storage.download(new KeyRef(CONTAINER, keyId)));
  }

  @Test
  void badBundlesAreRefusedNamingTheProblem() throws Exception {
    String key = EncryptedHost.hostKey();
    String keyId = "refused-" + System.nanoTime();

    HttpResponse<String> garbage =
        put("encrypted-mnist", keyId, "hello".getBytes(StandardCharsets.UTF_8), key);
    assertEquals(400, garbage.statusCode());
    assertTrue(error(garbage).contains("not a Veil key bundle"), error(garbage));

    byte[] good = mnistBundle.encode();
    HttpResponse<String> truncated =
        put("encrypted-mnist", keyId, Arrays.copyOf(good, good.length / 2), key);
    assertEquals(400, truncated.statusCode());
    assertTrue(error(truncated).contains("declares"), error(truncated));

    // MNIST's keys have neither breast cancer's rotation 17 nor relinearization keys, nor its
    // levels.
    HttpResponse<String> wrongFunction = put("encrypted-breast-cancer", keyId, good, key);
    assertEquals(400, wrongFunction.statusCode());
    assertTrue(
        error(wrongFunction).contains("does not fit encrypted-breast-cancer"),
        error(wrongFunction));
    assertTrue(error(wrongFunction).contains("relinearization"), error(wrongFunction));

    HttpResponse<String> badId = put("encrypted-mnist", "..hidden", good, key);
    assertEquals(400, badId.statusCode());
    assertTrue(error(badId).contains("key_id must be"), error(badId));

    assertThrows(
        KeyBundleNotFoundException.class, () -> storage.download(new KeyRef(CONTAINER, keyId)));
  }
}
