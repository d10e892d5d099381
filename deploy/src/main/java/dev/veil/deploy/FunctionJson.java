package dev.veil.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.annotation.BlobInput;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.QueueOutput;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import com.microsoft.azure.functions.annotation.StorageAccount;
import com.microsoft.azure.functions.annotation.TableInput;
import com.microsoft.azure.functions.annotation.TableOutput;
import dev.veil.runtime.host.BindingDescriptions;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Set;

/**
 * The {@code function.json} that Azure Functions reads for one Java function: {@code scriptFile},
 * {@code entryPoint}, one binding per binding annotation (type, direction, name, then every
 * attribute whose value differs from the annotation's default) and {@code retry}, for every binding
 * the Azure library defines and every {@code @CustomBinding} annotation, whether or not Veil runs
 * it, as azure-functions-maven-plugin writes it.
 */
public final class FunctionJson {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Storage bindings whose empty connection {@code @StorageAccount} fills (the plugin's list). */
  private static final Set<String> STORAGE_BINDINGS =
      Set.of(
          BlobTrigger.class.getName(),
          BlobInput.class.getName(),
          BlobOutput.class.getName(),
          QueueTrigger.class.getName(),
          QueueOutput.class.getName(),
          TableInput.class.getName(),
          TableOutput.class.getName());

  private FunctionJson() {}

  /**
   * The document for {@code function}, whose class lives in the jar that {@code scriptFile} names.
   */
  public static ObjectNode of(FunctionDefinition function, String scriptFile) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("scriptFile", scriptFile);
    doc.put(
        "entryPoint",
        function.declaringClass().getCanonicalName() + "." + function.method().getName());
    ArrayNode bindings = doc.putArray("bindings");
    String storageAccount = storageAccount(function.method());
    for (FunctionParameter parameter : function.parameters()) {
      for (Annotation a : parameter.annotations()) {
        if (isBinding(a)) bindings.add(binding(function, a, null, storageAccount));
      }
    }
    boolean returnsValue = function.method().getReturnType() != void.class;
    // The plugin reads a method's own binding annotations only when it returns a value.
    if (returnsValue) {
      for (Annotation a : function.returnBindings()) {
        bindings.add(binding(function, a, "$return", storageAccount));
      }
    }
    if (function.trigger() instanceof HttpTrigger
        && returnsValue
        && function.returnBindings().isEmpty()) {
      // An HTTP function's return value is its response unless another binding takes it.
      bindings.addObject().put("type", "http").put("direction", "out").put("name", "$return");
    }
    ObjectNode retry = retry(function.method());
    if (retry != null) doc.set("retry", retry);
    return doc;
  }

  private static boolean isBinding(Annotation a) {
    return BindingDescriptions.kind(a).isPresent();
  }

  // The binding as BindingDescriptions writes it (the plugin's rules, shared with the admin API).
  private static ObjectNode binding(
      FunctionDefinition function, Annotation a, String returnName, String storageAccount) {
    JsonObject described =
        BindingDescriptions.describe(a)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "function '"
                            + function.name()
                            + "': @"
                            + a.annotationType().getSimpleName()
                            + " on the method is not a binding"));
    ObjectNode binding;
    try {
      binding = (ObjectNode) JSON.readTree(described.encode());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("binding description is not JSON: " + described, e);
    }
    if (returnName != null) binding.put("name", returnName);
    if (storageAccount != null
        && STORAGE_BINDINGS.contains(a.annotationType().getName())
        && binding.path("connection").asText().isEmpty()) {
      binding.put("connection", storageAccount);
    }
    return binding;
  }

  private static ObjectNode retry(Method method) {
    FixedDelayRetry fixed = method.getAnnotation(FixedDelayRetry.class);
    ExponentialBackoffRetry backoff = method.getAnnotation(ExponentialBackoffRetry.class);
    if (fixed != null && backoff != null) {
      throw new IllegalArgumentException(
          method + " declares both @FixedDelayRetry and @ExponentialBackoffRetry");
    }
    if (fixed != null) {
      return JSON.createObjectNode()
          .put("strategy", fixed.strategy())
          .put("maxRetryCount", fixed.maxRetryCount())
          .put("delayInterval", fixed.delayInterval());
    }
    if (backoff != null) {
      return JSON.createObjectNode()
          .put("strategy", backoff.strategy())
          .put("maxRetryCount", backoff.maxRetryCount())
          .put("minimumInterval", backoff.minimumInterval())
          .put("maximumInterval", backoff.maximumInterval());
    }
    return null;
  }

  // @StorageAccount on the method names the connection of its storage bindings that name none.
  private static String storageAccount(Method method) {
    StorageAccount account = method.getAnnotation(StorageAccount.class);
    return account == null ? null : account.value();
  }
}
