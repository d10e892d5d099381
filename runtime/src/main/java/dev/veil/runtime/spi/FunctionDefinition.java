package dev.veil.runtime.spi;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;

/**
 * A discovered function: a public method with {@code @FunctionName} and one trigger-annotated
 * parameter.
 *
 * @param name the value of {@code @FunctionName}
 * @param declaringClass the class that declares {@link #method()}
 * @param method the user method
 * @param trigger the trigger annotation (e.g. {@code @HttpTrigger}) found on {@link
 *     #triggerParameter()}
 * @param triggerParameter the parameter that receives the trigger payload
 * @param parameters all parameters in declaration order
 * @param returnBindings output-binding annotations on the method itself (the return value goes
 *     there)
 * @param retry the retry policy from {@code @FixedDelayRetry} / {@code @ExponentialBackoffRetry}
 */
public record FunctionDefinition(
    String name,
    Class<?> declaringClass,
    Method method,
    Annotation trigger,
    FunctionParameter triggerParameter,
    List<FunctionParameter> parameters,
    List<Annotation> returnBindings,
    RetryPolicy retry) {

  public FunctionDefinition {
    parameters = List.copyOf(parameters);
    returnBindings = List.copyOf(returnBindings);
  }

  /** The trigger annotation as the given type, if it is one. */
  public <A extends Annotation> Optional<A> trigger(Class<A> kind) {
    return kind.isInstance(trigger) ? Optional.of(kind.cast(trigger)) : Optional.empty();
  }

  /** The trigger annotation's simple name, e.g. {@code HttpTrigger}. */
  public String triggerKind() {
    return trigger.annotationType().getSimpleName();
  }
}
