package dev.veil.runtime.spi;

import java.lang.annotation.Annotation;

/**
 * One input or output binding of one invocation.
 *
 * @param function the function being invoked
 * @param parameter the bound parameter, or {@code null} for a binding on the method's return value
 * @param annotation the binding annotation (e.g. {@code @BlobInput})
 * @param invocation the invocation (binding data, id)
 * @param settings app settings, for {@code %NAME%} expressions and connection names
 */
public record BindingRequest(
    FunctionDefinition function,
    FunctionParameter parameter,
    Annotation annotation,
    Invocation invocation,
    AppSettings settings) {

  /**
   * Resolves {@code {name}} / {@code %NAME%} expressions in an annotation attribute such as a blob
   * path.
   */
  public String resolve(String expression) {
    return BindingExpressions.resolve(expression, invocation.bindingData(), settings);
  }

  public <A extends Annotation> A annotation(Class<A> kind) {
    return kind.cast(annotation);
  }
}
