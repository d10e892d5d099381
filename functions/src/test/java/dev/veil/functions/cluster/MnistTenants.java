package dev.veil.functions.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.encrypted.EncryptedClient;
import dev.veil.functions.encrypted.EncryptedFunctionSpec;
import dev.veil.functions.encrypted.EncryptedInference;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.functions.mnist.MnistLinearModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients of the encrypted MNIST function, each with its own secret key and key_id: their key
 * bundles go to the app's key container, and each holds one ciphertext of two test digits that it
 * sends repeatedly and whose answers it can decrypt and check against the plaintext model.
 */
final class MnistTenants implements AutoCloseable {
  private static final MnistLinearModel MODEL = MnistLinearModel.bundled();
  final List<Tenant> tenants = new ArrayList<>();

  /**
   * One client: its key_id, its key bundle, its ciphertext, and the plaintext model's digits for
   * its two samples.
   */
  record Tenant(
      String keyId,
      EncryptedClient client,
      byte[] bundle,
      byte[] ciphertext,
      int[] expectedDigits) {
    /** Decrypts an answer and says whether both samples' argmax equals the plaintext model's. */
    boolean answerMatches(byte[] result) {
      double[][] scores = client.decrypt(result, expectedDigits.length);
      for (int s = 0; s < expectedDigits.length; s++) {
        if (MnistLinearModel.argmax(scores[s]) != expectedDigits[s]) return false;
      }
      return true;
    }
  }

  /**
   * Creates {@code count} tenants named {@code prefix-i}, each with keys of its own, from the
   * he-params the function serves (built from the same spec here, so that keys can be made while
   * the hosts start).
   */
  MnistTenants(String prefix, int count) {
    JsonNode heParams =
        new ObjectMapper()
            .valueToTree(
                new EncryptedInference(EncryptedFunctionSpec.mnist(MODEL), null, null, null)
                    .heParams());
    double[][] digits = MnistDigits.testSplit().images();
    for (int i = 0; i < count; i++) {
      EncryptedClient client = new EncryptedClient(heParams, null);
      double[] a = digits[2 * i];
      double[] b = digits[2 * i + 1];
      tenants.add(
          new Tenant(
              prefix + "-" + i,
              client,
              client.keyBundle().encode(),
              client.encrypt(List.of(a, b)),
              new int[] {
                MnistLinearModel.argmax(MODEL.scores(a)), MnistLinearModel.argmax(MODEL.scores(b))
              }));
    }
  }

  /**
   * Uploads every tenant's key bundle to the key container of the storage account {@code storage}.
   */
  MnistTenants upload(String storage) {
    BlobKeyStore store = BlobKeyStore.fromConnectionString(storage, 1L << 30);
    tenants.forEach(t -> store.upload(new KeyRef(FunctionAppHosts.KEYS, t.keyId()), t.bundle()));
    return this;
  }

  Tenant get(int i) {
    return tenants.get(Math.floorMod(i, tenants.size()));
  }

  Tenant byKeyId(String keyId) {
    return tenants.stream().filter(t -> t.keyId().equals(keyId)).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    tenants.forEach(t -> t.client().close());
  }
}
