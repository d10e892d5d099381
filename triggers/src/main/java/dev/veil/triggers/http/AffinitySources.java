package dev.veil.triggers.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.veil.runtime.spi.AffinityKey;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where an HTTP function's placement key is found: host.json {@code
 * veil.cluster.affinityKeys.<function>} or the function's {@link AffinityKey}, as {@code
 * header:NAME}, {@code query:NAME}, {@code route:NAME} or {@code json:FIELD} (a top-level string
 * field of a JSON body). The first source present wins.
 */
record AffinitySources(List<Source> sources) {
  static final AffinitySources NONE = new AffinitySources(List.of());
  private static final JsonFactory JSON = new JsonFactory();

  enum Kind {
    HEADER,
    QUERY,
    ROUTE,
    JSON
  }

  record Source(Kind kind, String name) {}

  /** The function's declaration; throws IllegalArgumentException naming a source it cannot read. */
  static AffinitySources of(FunctionDefinition function, HostConfig hostConfig) {
    Object configured =
        hostConfig
            .json()
            .getJsonObject("veil", new JsonObject())
            .getJsonObject("cluster", new JsonObject())
            .getJsonObject("affinityKeys", new JsonObject())
            .getValue(function.name());
    List<String> declared;
    if (configured instanceof JsonArray list) {
      declared = list.stream().map(String::valueOf).toList();
    } else if (configured instanceof String one) {
      declared = List.of(one);
    } else {
      AffinityKey annotation = function.method().getAnnotation(AffinityKey.class);
      declared = annotation == null ? List.of() : List.of(annotation.value());
    }
    List<Source> sources = new ArrayList<>();
    for (String s : declared) {
      int colon = s.indexOf(':');
      Kind kind = null;
      if (colon > 0) {
        try {
          kind = Kind.valueOf(s.substring(0, colon).strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          kind = null;
        }
      }
      String name = colon > 0 ? s.substring(colon + 1).strip() : "";
      if (kind == null || name.isEmpty()) {
        throw new IllegalArgumentException(
            "affinity key source \""
                + s
                + "\" is not one of header:NAME, query:NAME, "
                + "route:NAME, json:FIELD");
      }
      sources.add(
          new Source(kind, kind == Kind.HEADER ? name.toLowerCase(java.util.Locale.ROOT) : name));
    }
    return sources.isEmpty() ? NONE : new AffinitySources(List.copyOf(sources));
  }

  /** The key of one request, or null. */
  String find(
      MultiMap headers, Map<String, String> query, Map<String, String> routeValues, byte[] body) {
    for (Source s : sources) {
      String key =
          switch (s.kind()) {
            case HEADER -> headers.get(s.name());
            case QUERY -> query.get(s.name());
            case ROUTE -> routeValues.get(s.name());
            case JSON -> body == null || body.length == 0 ? null : jsonField(body, s.name());
          };
      if (key != null) return key;
    }
    return null;
  }

  /**
   * Reads only the top level of a JSON object (nested values are skipped), so big ciphertexts cost
   * one scan.
   */
  static String jsonField(byte[] json, String field) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals(field)) return value == JsonToken.VALUE_STRING ? parser.getText() : null;
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null; // not JSON: no key; the function reports the bad body itself
    }
  }
}
