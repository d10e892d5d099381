package dev.veil.runtime.host;

import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A binding annotation's type, direction and name as they appear in function.json and in the Azure
 * host's admin API: {@code @CustomBinding} annotations (Durable Functions, SQL, Dapr, ...) say so
 * themselves; the Azure library's own annotations are named after the binding ({@code
 * CosmosDBInput} is type {@code cosmosDB}, {@code ServiceBusQueueTrigger} is {@code
 * serviceBusTrigger}).
 */
public final class BindingDescriptions {
  private static final String AZURE_ANNOTATIONS = FunctionName.class.getPackageName();

  /** Attributes the plugin writes even when they hold their default (its required attributes). */
  private static final Map<String, String> ALWAYS_WRITTEN =
      Map.of("HttpTrigger", "authLevel", "EventHubTrigger", "cardinality");

  private BindingDescriptions() {}

  /** A binding's type and direction as function.json names them. */
  public record Kind(String type, String direction) {}

  /**
   * The kind of binding an annotation declares: from its {@code @CustomBinding} (Durable Functions,
   * SQL, Dapr, ...) or, for the Azure library's own annotations, from its name; empty when it
   * declares none (naming, retry, metadata).
   */
  public static Optional<Kind> kind(Annotation a) {
    // A String attribute named type or direction on the annotation itself wins, as in the plugin.
    return baseKind(a)
        .map(
            k ->
                new Kind(
                    attribute(a, "type").orElse(k.type()),
                    attribute(a, "direction")
                        .map(d -> d.toLowerCase(Locale.ROOT))
                        .orElse(k.direction())));
  }

  // The kind its @CustomBinding or, for the Azure library's annotations, its name gives.
  private static Optional<Kind> baseKind(Annotation a) {
    CustomBinding custom =
        a instanceof CustomBinding c ? c : a.annotationType().getAnnotation(CustomBinding.class);
    if (custom != null) return Optional.of(new Kind(custom.type(), custom.direction()));
    if (!a.annotationType().getPackageName().equals(AZURE_ANNOTATIONS)) return Optional.empty();
    String simple = a.annotationType().getSimpleName();
    String direction =
        simple.endsWith("Trigger") || simple.endsWith("Input")
            ? "in"
            : simple.endsWith("Output") ? "out" : null;
    return direction == null
        ? Optional.empty()
        : Optional.of(new Kind(azureType(simple), direction));
  }

  /** The binding name an annotation gives ({@code name}), else its {@code @CustomBinding}'s. */
  public static String name(Annotation a) {
    CustomBinding custom =
        a instanceof CustomBinding c ? c : a.annotationType().getAnnotation(CustomBinding.class);
    return attribute(a, "name").orElse(custom != null ? custom.name() : "");
  }

  /**
   * The binding an annotation declares, or empty when it declares none (naming, retry, metadata).
   */
  public static Optional<JsonObject> describe(Annotation a) {
    return kind(a)
        .map(
            kind -> {
              JsonObject binding = binding(kind.type(), kind.direction(), name(a));
              if (!(a instanceof CustomBinding)) attributes(a, binding);
              return binding;
            });
  }

  /**
   * The annotation's other attributes as azure-functions-maven-plugin writes them: every value that
   * is not {@code equals} to the attribute's default (so arrays, compared by identity there, are
   * always written), enum values by name, plus {@code HttpTrigger.authLevel} and {@code
   * EventHubTrigger.cardinality} even at their default.
   */
  private static void attributes(Annotation a, JsonObject out) {
    Method[] methods = a.annotationType().getDeclaredMethods();
    Arrays.sort(methods, Comparator.comparing(Method::getName)); // reflection order is unspecified
    String alwaysWritten =
        a.annotationType().getPackageName().equals(AZURE_ANNOTATIONS)
            ? ALWAYS_WRITTEN.get(a.annotationType().getSimpleName())
            : null;
    for (Method m : methods) {
      if (m.getParameterCount() != 0 || m.getName().equals("name")) continue;
      Object value;
      try {
        value = m.invoke(a);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      if (value instanceof String
          && (m.getName().equals("type") || m.getName().equals("direction")))
        continue; // taken as the binding's own type and direction by kind()
      boolean atDefault = !value.getClass().isArray() && value.equals(m.getDefaultValue());
      if (atDefault && !m.getName().equals(alwaysWritten)) continue;
      out.put(m.getName(), json(value));
    }
  }

  private static Object json(Object value) {
    if (value instanceof Enum<?> e) return e.name();
    if (value instanceof Object[] array) {
      JsonArray list = new JsonArray();
      for (Object element : array) list.add(json(element));
      return list;
    }
    return value instanceof String || value instanceof Number || value instanceof Boolean
        ? value
        : String.valueOf(value);
  }

  /** The bindings a function's parameters and method declare, trigger first as in function.json. */
  public static JsonArray of(Method method) {
    JsonArray out = new JsonArray();
    for (Annotation[] annotations : method.getParameterAnnotations()) {
      for (Annotation a : annotations) describe(a).ifPresent(out::add);
    }
    for (Annotation a : method.getAnnotations()) describe(a).ifPresent(out::add);
    return out;
  }

  /** "'name' (type, direction), ..." for log lines. */
  public static String summary(JsonArray bindings) {
    StringBuilder out = new StringBuilder();
    for (Object b : bindings) {
      JsonObject binding = (JsonObject) b;
      if (out.length() > 0) out.append(", ");
      out.append('\'')
          .append(binding.getString("name"))
          .append("' (")
          .append(binding.getString("type"))
          .append(", ")
          .append(binding.getString("direction"))
          .append(')');
    }
    return out.toString();
  }

  /** The binding type of an annotation the Azure library defines, e.g. {@code cosmosDBTrigger}. */
  static String azureType(String simpleName) {
    String type =
        simpleName
            .replaceFirst("(Input|Output)$", "")
            .replaceFirst("^ServiceBus(Queue|Topic)", "ServiceBus");
    return type.substring(0, 1).toLowerCase(Locale.ROOT) + type.substring(1);
  }

  private static JsonObject binding(String type, String direction, String name) {
    return new JsonObject().put("type", type).put("direction", direction).put("name", name);
  }

  private static Optional<String> attribute(Annotation a, String attribute) {
    try {
      Method m = a.annotationType().getMethod(attribute);
      Object value = m.invoke(a);
      return value instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
