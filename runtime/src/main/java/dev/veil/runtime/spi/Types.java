package dev.veil.runtime.spi;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;

/** Small helpers for generic parameter types. */
public final class Types {
  private Types() {}

  /** The erased class of a generic type ({@code Optional<String>} gives {@code Optional}). */
  public static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) return c;
    if (type instanceof ParameterizedType p) return raw(p.getRawType());
    if (type instanceof GenericArrayType g) return raw(g.getGenericComponentType()).arrayType();
    if (type instanceof WildcardType w) return raw(w.getUpperBounds()[0]);
    return Object.class;
  }

  /** The first type argument of a parameterized type, or {@code Object}. */
  public static Type firstArgument(Type type) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
  }
}
