package dev.veil.runtime.spi;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One call of a function, as a trigger hands it to the {@link Invoker}.
 *
 * @param functionName the {@code @FunctionName} to call
 * @param id the invocation id (shown to the caller on errors, in logs and in {@code
 *     ExecutionContext})
 * @param trigger produces the value of the trigger parameter
 * @param bindingData values for {@code {name}} binding expressions and {@code @BindingName}
 *     parameters (route parameters, query parameters, blob name parts, Kafka key/partition/offset,
 *     ...)
 * @param metadata free-form facts about the event for logs and tracing (not bound to parameters)
 */
public record Invocation(
    String functionName,
    String id,
    TriggerInput trigger,
    Map<String, Object> bindingData,
    Map<String, String> metadata) {

  public Invocation {
    bindingData = Map.copyOf(bindingData);
    metadata = Map.copyOf(metadata);
  }

  /** A new invocation with a random id. */
  public static Invocation of(
      String functionName, TriggerInput trigger, Map<String, Object> bindingData) {
    return new Invocation(functionName, newId(), trigger, bindingData, Map.of());
  }

  /**
   * A random (version 4) UUID string; uses a thread-local generator because ids need not be secret.
   */
  public static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }
}
