package dev.veil.functions.encrypted;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.functions.StandaloneScope;
import dev.veil.runtime.spi.AffinityKey;
import dev.veil.runtime.spi.HostScope;
import java.util.Optional;

/**
 * Flow 2: the breast-cancer MLP (30→16→2, cubic activation) on CKKS-encrypted, standardized
 * features.
 */
public final class EncryptedBreastCancerFunction {
  private final EncryptedFunctions shared;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public EncryptedBreastCancerFunction() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: the host's scope. */
  public EncryptedBreastCancerFunction(HostScope scope) {
    this.shared = EncryptedFunctions.of(scope);
  }

  // evaluation costs server time: a function key is required; he-params are public
  @FunctionName("encrypted-breast-cancer")
  @AffinityKey({
    "header:x-veil-key-id",
    "query:key_id",
    "json:key_id"
  }) // each key bundle is cached on its owner
  public HttpResponseMessage run(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "encrypted-breast-cancer",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    return EncryptedHttp.evaluate(shared.breastCancer(), request, context.getLogger());
  }

  @FunctionName("encrypted-breast-cancer-he-params")
  public HttpResponseMessage heParams(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "encrypted-breast-cancer/he-params")
          HttpRequestMessage<Optional<String>> request) {
    return EncryptedHttp.heParams(shared.breastCancer(), request);
  }
}
