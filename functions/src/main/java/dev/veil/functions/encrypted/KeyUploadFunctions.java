package dev.veil.functions.encrypted;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.functions.StandaloneScope;
import dev.veil.functions.http.ErrorResponses;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyRef;
import dev.veil.runtime.spi.HostScope;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code PUT /api/<function>/keys/{key_id}}: a client uploads its key bundle through the host,
 * which stores it in the host's own key storage (blob container or local directory) so the client
 * never needs storage credentials or the host's disk. The bundle is checked before it is stored:
 * size first (before decoding), then its format, then that it loads and fits the function
 * (parameters, Galois steps, relinearization keys). Query {@code container} picks the container
 * (default {@value #DEFAULT_CONTAINER}).
 */
public final class KeyUploadFunctions {

  static final String DEFAULT_CONTAINER = "veil-keys";

  private final EncryptedFunctions shared;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public KeyUploadFunctions() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: the host's scope. */
  public KeyUploadFunctions(HostScope scope) {
    this.shared = EncryptedFunctions.of(scope);
  }

  @FunctionName("encrypted-mnist-keys")
  public HttpResponseMessage mnist(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.PUT, HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "encrypted-mnist/keys/{key_id}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      @BindingName("key_id") String keyId) {
    return upload(shared.mnist(), shared.uploadDecoder(), request, keyId);
  }

  @FunctionName("encrypted-breast-cancer-keys")
  public HttpResponseMessage breastCancer(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.PUT, HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "encrypted-breast-cancer/keys/{key_id}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      @BindingName("key_id") String keyId) {
    return upload(shared.breastCancer(), shared.uploadDecoder(), request, keyId);
  }

  static HttpResponseMessage upload(
      EncryptedInference inference,
      SealKeysDecoder decoder,
      HttpRequestMessage<Optional<byte[]>> request,
      String keyId) {
    String name = inference.spec().name();
    try {
      String container = request.getQueryParameters().getOrDefault("container", DEFAULT_CONTAINER);
      KeyRef ref = new KeyRef(container, keyId);
      byte[] bytes = request.getBody().orElse(new byte[0]);
      long limit = inference.settings().maxBundleBytes();
      if (bytes.length == 0) {
        throw FunctionFailure.badInput(
            "the request has no body; send the VEILKEYS key bundle as the body");
      }
      if (bytes.length > limit) {
        throw FunctionFailure.badInput(
            "the key bundle is "
                + bytes.length
                + " bytes, above the limit of "
                + limit
                + " (VEIL_KEYS_MAX_BUNDLE_BYTES)");
      }
      SealKeys keys = decoder.decode(KeyBundle.decode(bytes));
      try {
        keys.checkFits(inference.modelFor(keys.engine().context().slotCount()), name);
      } finally {
        keys.galoisKeys().close();
        if (keys.relinKeys() != null) {
          keys.relinKeys().close();
        }
      }
      String etag = store(inference, ref, bytes);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("function", name);
      body.put("container", ref.container());
      body.put("key_id", ref.keyId());
      body.put("bytes", bytes.length);
      body.put("key_fingerprint", keys.fingerprint());
      body.put("etag", etag);
      return EncryptedHttp.json(request, HttpStatus.CREATED, body);
    } catch (FunctionFailure e) {
      return ErrorResponses.of(
          request,
          e,
          e.meaning() == FunctionFailure.Meaning.BAD_INPUT
              ? "key bundle for " + name + " refused: " + e.getMessage()
              : e.getMessage());
    }
  }

  /**
   * Stores the checked bundle; whatever stops the store from taking it means the storage is
   * unavailable.
   */
  private static String store(EncryptedInference inference, KeyRef ref, byte[] bytes) {
    try {
      return inference.defaultStore().upload(ref, bytes);
    } catch (FunctionFailure e) {
      throw e;
    } catch (RuntimeException e) {
      java.util.logging.Logger.getLogger(KeyUploadFunctions.class.getName())
          .warning("key upload: key storage failed: " + e);
      throw FunctionFailure.unavailable("the key storage is unavailable; try again later", 1);
    }
  }
}
