package dev.veil.runtime.spi;

/**
 * Produces the value of a function's trigger parameter. Runs on a worker thread, right before the
 * user method, so it may parse (e.g. JSON into a POJO). Throw {@link InvocationFailure#badInput}
 * when the payload does not fit the parameter.
 */
@FunctionalInterface
public interface TriggerInput {

  Object bind(FunctionParameter parameter);

  /** A trigger value converted to the parameter type with {@link Conversions#convert}. */
  static TriggerInput of(Object value) {
    return parameter -> Conversions.convert(value, parameter.type(), "trigger payload");
  }
}
