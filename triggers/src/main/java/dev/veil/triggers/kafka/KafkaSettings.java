package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.AppSettings;
import java.util.Optional;

/** Reads where a Kafka trigger or output binding connects, as the Azure Kafka extension does. */
final class KafkaSettings {
  private KafkaSettings() {}

  /**
   * The bootstrap servers named by an annotation's {@code brokerList}: {@code %NAME%} or a bare app-setting
   * name is looked up in the app settings, anything else is taken as the list itself. Empty when nothing is
   * configured: the embedded in-process queue is used.
   */
  static Optional<String> bootstrap(String brokerList, AppSettings settings) {
    String value = brokerList == null ? "" : brokerList.trim();
    if (value.length() > 1 && value.startsWith("%") && value.endsWith("%")) {
      value = settings.get(value.substring(1, value.length() - 1), "");
    } else if (!value.isEmpty() && settings.get(value).isPresent()) {
      value = settings.get(value, "");
    }
    value = value.trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** Resolves {@code %NAME%} in a topic or group name; other text is literal. */
  static String resolve(String text, AppSettings settings, String what) {
    String value = text == null ? "" : text.trim();
    if (value.length() > 1 && value.startsWith("%") && value.endsWith("%")) {
      String name = value.substring(1, value.length() - 1);
      value = settings.get(name).orElseThrow(() ->
          new IllegalArgumentException(what + " names app setting '" + name + "', which is not set"));
    }
    return value;
  }
}
