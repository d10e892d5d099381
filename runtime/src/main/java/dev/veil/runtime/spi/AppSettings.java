package dev.veil.runtime.spi;

import java.util.Map;
import java.util.Optional;

/** App settings as Azure Functions users know them: local.settings.json {@code Values}, overridden by environment variables. */
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
    return get(name).orElseThrow(() -> new IllegalStateException("app setting '" + name + "' is not set"));
  }
}
