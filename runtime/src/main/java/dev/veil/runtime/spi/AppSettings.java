package dev.veil.runtime.spi;

import java.util.Map;
import java.util.Optional;

/**
 * App settings as Azure Functions users know them: local.settings.json {@code Values}, overridden
 * by environment variables.
 */
public final class AppSettings {
  private final Map<String, String> values;

  public AppSettings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** A required setting; the exception names the missing setting. */
  public String require(String name) {
    return get(name)
        .orElseThrow(() -> new IllegalStateException("app setting '" + name + "' is not set"));
  }

  /**
   * Replaces each {@code %NAME%} in {@code text} (a topic, a blob path) with that setting; an unset
   * setting is an {@link IllegalArgumentException} naming it. Other text, {@code {name}} parts
   * included, stays.
   */
  public String expand(String text) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf('%', i);
      int close = open < 0 ? -1 : text.indexOf('%', open + 1);
      if (close < 0) {
        out.append(text, i, text.length());
        break;
      }
      String name = text.substring(open + 1, close);
      out.append(text, i, open)
          .append(
              get(name)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "'"
                                  + text
                                  + "' names app setting '"
                                  + name
                                  + "', which is not set")));
      i = close + 1;
    }
    return out.toString();
  }
}
