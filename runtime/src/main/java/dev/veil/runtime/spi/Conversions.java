package dev.veil.runtime.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Converts payloads (text, bytes, JSON) to parameter types and values to JSON, the same way for
 * every trigger and binding. Conversion failures are {@link InvocationFailure.Kind#BAD_INPUT}
 * failures whose message names the problem and is safe to show to a caller.
 */
public final class Conversions {
  private Conversions() {}

  // Created on first use: functions that only move text and bytes never pay for Jackson's start-up.
  private static final class Mapper {
    static final ObjectMapper JSON =
        new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .findAndRegisterModules();
  }

  /**
   * The shared Jackson mapper (unknown properties are ignored, like the Azure Java worker does).
   */
  public static ObjectMapper json() {
    return Mapper.JSON;
  }

  /**
   * Converts {@code value} (String, byte[], Buffer or any object) to {@code target}: String,
   * byte[], {@code Optional<T>}, or a POJO read from JSON with Gson's rules as in Azure's Java
   * worker (Jackson for Jackson's and Vert.x's tree types).
   *
   * @param what names the value in error messages, e.g. "request body"
   */
  public static Object convert(Object value, Type target, String what) {
    Class<?> raw = Types.raw(target);
    if (raw == Optional.class) {
      return value == null
          ? Optional.empty()
          : Optional.of(convert(value, Types.firstArgument(target), what));
    }
    if (value == null) return null;
    if (value instanceof Buffer b) value = b.getBytes();
    if (raw.isInstance(value) && !(target instanceof java.lang.reflect.ParameterizedType))
      return value;
    if (raw == String.class)
      return value instanceof byte[] bytes
          ? new String(bytes, StandardCharsets.UTF_8)
          : toJson(value);
    if (raw == byte[].class) {
      return value instanceof String s
          ? s.getBytes(StandardCharsets.UTF_8)
          : toJson(value).getBytes(StandardCharsets.UTF_8);
    }
    if (!bindsWithJackson(raw)) return fromJsonAsTheAzureWorker(value, target, raw, what);
    ObjectMapper json = json();
    JavaType type = json.getTypeFactory().constructType(target);
    try {
      if (value instanceof byte[] bytes) return json.readValue(bytes, type);
      if (value instanceof String s) return json.readValue(s, type);
      return json.convertValue(value, type);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      throw invalidJson(
          what,
          raw,
          firstLine(e.getOriginalMessage()).replaceAll("\\s*\\(start marker at .*", "") + where);
    } catch (IOException | IllegalArgumentException e) {
      throw invalidJson(what, raw, e.getMessage());
    }
  }

  /** Jackson's and Vert.x's own tree types; everything else binds as in Azure's Java worker. */
  private static boolean bindsWithJackson(Class<?> raw) {
    String name = raw.getName();
    return name.startsWith("com.fasterxml.jackson.") || name.startsWith("io.vertx.");
  }

  /**
   * JSON to a parameter type with Gson's rules, as Azure's Java worker binds POJOs: fields by their
   * Java names, no no-argument constructor needed, unknown properties ignored, absent ones left at
   * their defaults.
   */
  private static Object fromJsonAsTheAzureWorker(
      Object value, Type target, Class<?> raw, String what) {
    String text =
        value instanceof byte[] bytes
            ? new String(bytes, StandardCharsets.UTF_8)
            : value instanceof String s ? s : toJson(value);
    try {
      return GsonHolder.GSON.fromJson(text, TypeToken.get(target));
    } catch (JsonParseException
        | IllegalArgumentException e) { // Gson lets a number's NumberFormatException through
      Throwable cause =
          e.getCause() != null && e.getCause().getMessage() != null ? e.getCause() : e;
      throw invalidJson(what, raw, cause.getMessage());
    }
  }

  // Created on first use, like the Jackson mapper.
  private static final class GsonHolder {
    static final Gson GSON = new Gson();
  }

  /**
   * Serializes a value as JSON text with Gson's rules, as Azure's Java worker hands a function's
   * POJO output to an extension (fields by their Java names, such as a {@code KafkaEntity}'s {@code
   * Key}, {@code Value}, {@code Headers}).
   */
  public static String toJsonAsTheAzureWorker(Object value) {
    if (value != null && bindsWithJackson(value.getClass()))
      return toJson(value); // Jackson / Vert.x trees
    return GsonHolder.GSON.toJson(value);
  }

  /** Serializes a value as JSON text. */
  public static String toJson(Object value) {
    try {
      return json().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot serialize " + value.getClass().getName() + " as JSON", e);
    }
  }

  private static InvocationFailure invalidJson(String what, Class<?> target, String problem) {
    return InvocationFailure.badInput(
        what + " is not valid JSON for " + target.getSimpleName() + ": " + firstLine(problem));
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
