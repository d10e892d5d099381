package dev.veil.runtime.spi;

import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;

/**
 * One parameter of a function method.
 *
 * @param index position in the method signature
 * @param name the Java parameter name (needs {@code -parameters}; else {@code arg0}, ...)
 * @param type the generic parameter type, e.g. {@code HttpRequestMessage<Optional<String>>}
 * @param annotations the parameter's annotations
 */
public record FunctionParameter(int index, String name, Type type, List<Annotation> annotations) {

  public FunctionParameter {
    annotations = List.copyOf(annotations);
  }

  public <A extends Annotation> Optional<A> annotation(Class<A> kind) {
    return annotations.stream().filter(kind::isInstance).map(kind::cast).findFirst();
  }

  /** The erased class of {@link #type()}. */
  public Class<?> rawType() {
    return Types.raw(type);
  }

  /**
   * The n-th type argument of {@link #type()}, or {@code Object} when the type is not
   * parameterized.
   */
  public Type typeArgument(int n) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[n] : Object.class;
  }
}
