package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.AppSettings;
import java.util.Optional;

/** Reads where a Kafka trigger or output binding connects, as the Azure Kafka extension does. */
final class KafkaSettings {
  private static final java.util.regex.Pattern LEGAL = java.util.regex.Pattern.compile("[A-Za-z0-9._-]*");
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

  /** Resolves {@code %NAME%} parts of a name such as a consumer group. */
  static String resolve(String text, AppSettings settings, String what) {
    try {
      return settings.expand(text == null ? "" : text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  /** Resolves a topic name and checks that Kafka accepts it (an illegal name would stall the producer). */
  static String topic(String text, AppSettings settings, String what) {
    String value = resolve(text, settings, what);
    if (value.isEmpty() || value.length() > 249 || !LEGAL.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + value
          + "' is not a legal Kafka name (letters, digits, '.', '_', '-'; at most 249)");
    }
    return value;
  }
}
