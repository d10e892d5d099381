package dev.veil.inference;

import dev.veil.functions.encrypted.CiphertextBytes;
import dev.veil.functions.encrypted.EncryptedFunctions;
import dev.veil.functions.encrypted.EncryptedInference;
import dev.veil.functions.encrypted.EncryptedRequest;
import dev.veil.functions.encrypted.ResultBody;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.keys.KeyBundleNotFoundException;
import dev.veil.functions.keys.KeyRef;
import dev.veil.runtime.spi.HostScope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Veil's encrypted functions as a protocol extension: the input {@code ciphertext} (BYTES [1]) is
 * the client's SEAL CKKS ciphertext, its tensor parameters name the key bundle ({@code key_id},
 * {@code container}, optionally {@code key_fingerprint}), exactly as the encrypted functions take
 * them; the output {@code ciphertext} is the encrypted result, its parameters the slot layout
 * ({@code window}, {@code outputs}, {@code samples_per_ciphertext}). The same key cache, stores and
 * limits serve both. Ciphertexts are bytes: send them with the binary tensor data extension or over
 * gRPC (JSON BYTES are UTF-8 strings).
 */
final class EncryptedModel implements InferenceModel {
  private final String name;
  private final Supplier<EncryptedInference> inference;

  private EncryptedModel(String name, Supplier<EncryptedInference> inference) {
    this.name = name;
    this.inference = inference;
  }

  static EncryptedModel mnist(HostScope scope) {
    return new EncryptedModel("encrypted-mnist", () -> EncryptedFunctions.of(scope).mnist());
  }

  static EncryptedModel breastCancer(HostScope scope) {
    return new EncryptedModel(
        "encrypted-breast-cancer", () -> EncryptedFunctions.of(scope).breastCancer());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String platform() {
    return "veil_seal_ckks";
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(new TensorSpec("ciphertext", Datatype.BYTES, new long[] {1}));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(new TensorSpec("ciphertext", Datatype.BYTES, new long[] {1}));
  }

  @Override
  public int maxBatchSize() {
    return 0; // one ciphertext packs several samples itself
  }

  @Override
  public String functionName() {
    return name;
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public Future<List<Tensor>> infer(Vertx vertx, Map<String, Tensor> inputs, int batch) {
    Tensor input = inputs.get("ciphertext");
    JsonObject p = input.parameters();
    String keyId = p.getValue("key_id") instanceof String s ? s : null;
    if (keyId == null) {
      return Future.failedFuture(
          InferenceError.badRequest(
              "input 'ciphertext' of model '"
                  + name
                  + "' needs the parameter key_id"
                  + " (and container) naming the uploaded key bundle"));
    }
    String container = p.getValue("container") instanceof String s ? s : null;
    String fingerprint = p.getValue("key_fingerprint") instanceof String s ? s : null;
    byte[] ciphertext = input.elements().get(0);
    // key download on a cold cache and the evaluation block: a worker thread, as the encrypted
    // functions run
    return vertx.executeBlocking(
        () -> {
          try {
            EncryptedRequest request =
                new EncryptedRequest(
                    CiphertextBytes.of(ciphertext),
                    new KeyRef(container, keyId),
                    fingerprint == null ? null : fingerprint.toLowerCase(java.util.Locale.ROOT),
                    null,
                    true);
            if (ciphertext.length == 0) throw InferenceError.badRequest("the ciphertext is empty");
            EncryptedInference.Result result = inference.get().evaluate(request, ResultBody.BINARY);
            Tensor out =
                Tensor.bytes("ciphertext", new long[] {1}, List.of(result.body()), "ciphertext");
            out.parameters(
                new JsonObject()
                    .put("window", result.model().window())
                    .put("outputs", result.model().outputs())
                    .put("samples_per_ciphertext", result.model().samplesPerCiphertext()));
            return List.of(out);
          } catch (KeyBundleNotFoundException e) {
            throw InferenceError.notFound(e.getMessage() + "; upload the key bundle first");
          } catch (FunctionFailure e) {
            // the encrypted functions' own errors by meaning (bad input, missing, unavailable);
            // anything else is a bug
            throw new InferenceError(e.meaning().status(), e.getMessage());
          }
        },
        false);
  }
}
