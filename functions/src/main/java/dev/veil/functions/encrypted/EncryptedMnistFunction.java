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
 * Flow 1: scores a CKKS-encrypted 28×28 digit with the MNIST logistic regression; the scores stay
 * encrypted.
 */
public final class EncryptedMnistFunction {
  private final EncryptedFunctions shared;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public EncryptedMnistFunction() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: the host's scope. */
  public EncryptedMnistFunction(HostScope scope) {
    this.shared = EncryptedFunctions.of(scope);
  }

  // evaluation costs server time: a function key is required; he-params are public
  @FunctionName("encrypted-mnist")
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
              route = "encrypted-mnist",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    return EncryptedHttp.evaluate(shared.mnist(), request, context.getLogger());
  }

  @FunctionName("encrypted-mnist-he-params")
  public HttpResponseMessage heParams(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "encrypted-mnist/he-params")
          HttpRequestMessage<Optional<String>> request) {
    return EncryptedHttp.heParams(shared.mnist(), request);
  }
}
