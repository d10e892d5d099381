package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.testkit.Azurite;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Statuses follow what a failure means, not which exception type carried it: a bundle that was
 * never uploaded is 404, and a bug on the host's side (here: the cached keys' native objects closed
 * under the function) is a 500, not the 503 "key storage unavailable" every {@code
 * IllegalStateException} used to become.
 */
class EncryptedErrorMeaningTest {
  private static final String CONTAINER = "veil-error-meaning";

  @Test
  void aMissingBundleIs404AndAClosedNativeObjectIsABugNotAnOutage() throws Exception {
    try (EncryptedClient client =
        new EncryptedClient(EncryptedHost.heParams("encrypted-mnist"), null)) {
      check(client);
    }
  }

  private static void check(EncryptedClient client) throws Exception {
    byte[] ct = client.encrypt(List.of(MnistDigits.testSplit().images()[0]));

    String keyId = "closed-" + System.nanoTime();
    KeyRef ref = new KeyRef(CONTAINER, keyId);
    KeyBundle bundle = client.keyBundle();
    BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1L << 30)
        .upload(ref, bundle.encode());

    // the container exists; the key id does not
    HttpResponse<byte[]> missing =
        EncryptedHost.post(
            "encrypted-mnist",
            ct,
            "container=" + CONTAINER + "&key_id=never-uploaded-" + System.nanoTime());
    assertEquals(404, missing.statusCode(), body(missing));
    assertNull(missing.headers().firstValue("retry-after").orElse(null));

    String query = "container=" + CONTAINER + "&key_id=" + keyId;
    assertEquals(200, EncryptedHost.post("encrypted-mnist", ct, query).statusCode()); // now cached
    EncryptedInference mnist = EncryptedHost.shared().mnist();
    SealKeys cached = EncryptedHost.shared().keyCache().await(mnist.defaultStore(), ref);
    cached.galoisKeys().close(); // what a use-after-close bug in the function would leave behind
    try {
      HttpResponse<byte[]> bug = EncryptedHost.post("encrypted-mnist", ct, query);
      assertEquals(500, bug.statusCode(), body(bug));
      assertFalse(body(bug).contains("key storage"), body(bug));
    } finally {
      EncryptedHost.shared().keyCache().invalidateAll();
    }
  }

  private static String body(HttpResponse<byte[]> res) {
    return new String(res.body(), StandardCharsets.UTF_8);
  }
}
