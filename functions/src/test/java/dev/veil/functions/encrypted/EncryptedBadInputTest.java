package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.testkit.Azurite;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests a client can get wrong, against the real host, Azurite and he-native client keys: each
 * gets a 4xx with a message naming the problem, and the host keeps serving correct requests.
 */
class EncryptedBadInputTest {

  private static final String CONTAINER = "veil-bad-input";
  private static JsonNode mnistParams;
  private static BlobKeyStore store;
  private static EncryptedClient client;
  private static String keyId;
  private static String fingerprint;

  @BeforeAll
  static void uploadGoodBundle() throws Exception {
    mnistParams = EncryptedHost.heParams("encrypted-mnist");
    store = BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1L << 30);
    client = new EncryptedClient(mnistParams, null);
    keyId = "good-" + System.nanoTime();
    KeyBundle bundle = client.keyBundle();
    fingerprint = SealKeysDecoder.fingerprint(bundle.galoisKeys());
    store.upload(new KeyRef(CONTAINER, keyId), bundle.encode());
  }

  private static String query(String key, String fp) {
    return "container="
        + CONTAINER
        + "&key_id="
        + key
        + (fp == null ? "" : "&key_fingerprint=" + fp);
  }

  private static String error(HttpResponse<byte[]> res) throws Exception {
    return EncryptedHost.JSON.readTree(res.body()).get("error").asText();
  }

  private static byte[] digitCiphertext(EncryptedClient c) {
    return c.encrypt(List.of(MnistDigits.testSplit().images()[0]));
  }

  @Test
  void goodRequestDecryptsToThePlaintextScores() throws Exception {
    assertGoodRequestWorks();
  }

  private static void assertGoodRequestWorks() throws Exception {
    double[] digit = MnistDigits.testSplit().images()[0];
    HttpResponse<byte[]> res =
        EncryptedHost.post(
            "encrypted-mnist", client.encrypt(List.of(digit)), query(keyId, fingerprint));
    assertEquals(200, res.statusCode(), new String(res.body(), StandardCharsets.UTF_8));
    double[] scores = client.decrypt(res.body(), 1)[0];
    double[] plain = MnistLinearModel.bundled().scores(digit);
    for (int k = 0; k < 10; k++) {
      assertEquals(plain[k], scores[k], 1e-2);
    }
  }

  @Test
  void missingBundleIs404() throws Exception {
    HttpResponse<byte[]> res =
        EncryptedHost.post("encrypted-mnist", digitCiphertext(client), query("nobody-here", null));
    assertEquals(404, res.statusCode());
    assertTrue(error(res).contains("nobody-here"), error(res));
  }

  @Test
  void corruptedCiphertextsAre400AndTheHostStaysUp() throws Exception {
    byte[] good = digitCiphertext(client);
    byte[] flipped = good.clone();
    for (int i = 20; i < flipped.length; i += 97) {
      flipped[i] ^= 0x5A;
    }
    byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
    byte[] header = good.clone();
    header[0] = 0;
    for (byte[] bad :
        List.of(flipped, truncated, header, "garbage".getBytes(StandardCharsets.UTF_8))) {
      HttpResponse<byte[]> res =
          EncryptedHost.post("encrypted-mnist", bad, query(keyId, fingerprint));
      assertEquals(400, res.statusCode(), new String(res.body(), StandardCharsets.UTF_8));
      assertTrue(error(res).contains("ciphertext"), error(res));
    }
    assertGoodRequestWorks();
  }

  @Test
  void ciphertextFromAnotherKeyIsRefusedByFingerprint() throws Exception {
    try (EncryptedClient other = new EncryptedClient(mnistParams, null)) {
      String otherFingerprint = SealKeysDecoder.fingerprint(other.keyBundle().galoisKeys());
      HttpResponse<byte[]> res =
          EncryptedHost.post(
              "encrypted-mnist", digitCiphertext(other), query(keyId, otherFingerprint));
      assertEquals(400, res.statusCode());
      assertTrue(error(res).contains("another key bundle"), error(res));
    }
  }

  @Test
  void ciphertextOfAnotherParameterSetIs400() throws Exception {
    JsonNode params = EncryptedHost.heParams("encrypted-breast-cancer");
    try (EncryptedClient notebook = new EncryptedClient(params, "notebook")) {
      byte[] ct = notebook.encrypt(List.of(new double[30]));
      HttpResponse<byte[]> res = EncryptedHost.post("encrypted-mnist", ct, query(keyId, null));
      assertEquals(400, res.statusCode());
      assertTrue(
          error(res).contains("does not load under the key bundle's parameters"), error(res));
    }
  }

  @Test
  void bundlesThatDoNotFitTheModelNameWhatIsMissing() throws Exception {
    JsonNode params = EncryptedHost.heParams("encrypted-breast-cancer");
    try (EncryptedClient c = new EncryptedClient(params, "fast")) {
      String id = "unfit-" + System.nanoTime();
      store.upload(new KeyRef(CONTAINER, id), c.keyBundle(new int[] {1, 2}, false).encode());
      HttpResponse<byte[]> res =
          EncryptedHost.post(
              "encrypted-breast-cancer", c.encrypt(List.of(new double[30])), query(id, null));
      assertEquals(400, res.statusCode());
      String message = error(res);
      assertTrue(message.contains("lack rotation steps [3, 4, 8, 12, 16, 17]"), message);
      assertTrue(message.contains("relinearization keys"), message);
    }
    // the MNIST parameters have a single rescale: too few levels for the MLP
    ObjectNode shallow = (ObjectNode) params.deepCopy();
    ((ObjectNode) shallow.get("parameter_sets").get(0))
        .set("coeff_modulus_bits", EncryptedHost.JSON.valueToTree(new int[] {60, 40, 60}));
    try (EncryptedClient c = new EncryptedClient(shallow, null)) {
      String id = "shallow-" + System.nanoTime();
      store.upload(new KeyRef(CONTAINER, id), c.keyBundle().encode());
      HttpResponse<byte[]> res =
          EncryptedHost.post(
              "encrypted-breast-cancer", c.encrypt(List.of(new double[30])), query(id, null));
      assertEquals(400, res.statusCode());
      assertTrue(
          error(res).contains("allow 1 rescale(s) but encrypted-breast-cancer needs 4"),
          error(res));
    }
  }

  @Test
  void malformedBundleAndRequestShapesAre400() throws Exception {
    String id = "junk-" + System.nanoTime();
    store.upload(new KeyRef(CONTAINER, id), "not a bundle".getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> junk =
        EncryptedHost.post("encrypted-mnist", digitCiphertext(client), query(id, null));
    assertEquals(400, junk.statusCode());
    assertTrue(error(junk).contains("VEILKEYS"), error(junk));

    String data = Base64.getEncoder().encodeToString(digitCiphertext(client));
    HttpResponse<String> connStr =
        EncryptedHost.postJson(
            "encrypted-mnist",
            "{\"data\":\""
                + data
                + "\",\"key_id\":\""
                + keyId
                + "\",\"container\":\""
                + CONTAINER
                + "\",\"conn_str\":\"DefaultEndpointsProtocol=http;AccountName=x\"}");
    assertEquals(400, connStr.statusCode());
    assertTrue(connStr.body().contains("conn_str is not accepted"), connStr.body());

    HttpResponse<String> traversal =
        EncryptedHost.postJson(
            "encrypted-mnist",
            "{\"data\":\""
                + data
                + "\",\"key_id\":\"../../etc/passwd\",\"container\":\""
                + CONTAINER
                + "\"}");
    assertEquals(400, traversal.statusCode());
    assertTrue(traversal.body().contains("key_id"), traversal.body());

    HttpResponse<String> json =
        EncryptedHost.postJson(
            "encrypted-mnist",
            "{\"data\":\""
                + data
                + "\",\"key_id\":\""
                + keyId
                + "\",\"container\":\""
                + CONTAINER
                + "\"}");
    assertEquals(200, json.statusCode(), json.body());
    byte[] result =
        Base64.getDecoder().decode(EncryptedHost.JSON.readTree(json.body()).get("data").asText());
    assertEquals(10, client.decrypt(result, 1)[0].length);
  }
}
