package dev.veil.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.StorageAccount;
import dev.veil.runtime.host.BindingDescriptions;
import dev.veil.runtime.host.BindingDescriptions.Kind;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * The {@code function.json} that Azure Functions reads for one Java function: {@code scriptFile},
 * {@code entryPoint}, one binding per binding annotation (type, direction, name, then every
 * attribute whose value differs from the annotation's default) and {@code retry}, for every binding
 * the Azure library defines and every {@code @CustomBinding} annotation, whether or not Veil runs
 * it, as azure-functions-maven-plugin writes it.
 */
public final class FunctionJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private FunctionJson() {}

  /**
   * The document for {@code function}, whose class lives in the jar that {@code scriptFile} names.
   */
  public static ObjectNode of(FunctionDefinition function, String scriptFile) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("scriptFile", scriptFile);
    doc.put("entryPoint", function.declaringClass().getName() + "." + function.method().getName());
    ArrayNode bindings = doc.putArray("bindings");
    String storageAccount = storageAccount(function.method());
    for (FunctionParameter parameter : function.parameters()) {
      for (Annotation a : parameter.annotations()) {
        if (isBinding(a)) bindings.add(binding(function, a, null, storageAccount));
      }
    }
    for (Annotation a : function.returnBindings()) {
      bindings.add(binding(function, a, "$return", storageAccount));
    }
    boolean returnsValue = function.method().getReturnType() != void.class;
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

  private static ObjectNode binding(
      FunctionDefinition function, Annotation a, String returnName, String storageAccount) {
    Kind kind =
        BindingDescriptions.kind(a)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "function '"
                            + function.name()
                            + "': @"
                            + a.annotationType().getSimpleName()
                            + " on the method is not a binding"));
    ObjectNode binding = JSON.createObjectNode();
    binding.put("type", kind.type());
    binding.put("direction", kind.direction());
    binding.put("name", returnName != null ? returnName : BindingDescriptions.name(a));
    if (!(a
        instanceof
        CustomBinding)) { // @CustomBinding used directly says everything in type, direction and
      // name
      Method[] attributes = a.annotationType().getDeclaredMethods();
      Arrays.sort(
          attributes, Comparator.comparing(Method::getName)); // reflection order is unspecified
      for (Method attribute : attributes) {
        if (attribute.getName().equals("name")) continue; // written above
        Object value = attribute(a, attribute.getName());
        if (isDefault(value, attribute.getDefaultValue())) continue;
        binding.set(attribute.getName(), json(value));
      }
    }
    if (storageAccount != null && kind.type().startsWith("blob") && !binding.has("connection")) {
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
          .put("strategy", "fixedDelay")
          .put("maxRetryCount", fixed.maxRetryCount())
          .put("delayInterval", fixed.delayInterval());
    }
    if (backoff != null) {
      return JSON.createObjectNode()
          .put("strategy", "exponentialBackoff")
          .put("maxRetryCount", backoff.maxRetryCount())
          .put("minimumInterval", backoff.minimumInterval())
          .put("maximumInterval", backoff.maximumInterval());
    }
    return null;
  }

  // @StorageAccount on the method names the connection of its blob bindings that name none.
  private static String storageAccount(Method method) {
    StorageAccount account = method.getAnnotation(StorageAccount.class);
    return account == null ? null : account.value();
  }

  private static Object attribute(Annotation a, String name) {
    try {
      return a.annotationType().getMethod(name).invoke(a);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(
          "cannot read " + a.annotationType().getSimpleName() + "." + name, e);
    }
  }

  private static boolean isDefault(Object value, Object defaultValue) {
    if (value instanceof Object[] array)
      return defaultValue instanceof Object[] d && Arrays.equals(array, d);
    return Objects.equals(value, defaultValue);
  }

  // Enum constants are written by name ("POST", "ANONYMOUS"), as azure-functions-maven-plugin
  // writes them.
  private static JsonNode json(Object value) {
    if (value instanceof Object[] array) {
      ArrayNode out = JSON.createArrayNode();
      for (Object element : array) out.add(json(element));
      return out;
    }
    if (value instanceof Enum<?> e) return JSON.getNodeFactory().textNode(e.name());
    return JSON.valueToTree(value);
  }
}
