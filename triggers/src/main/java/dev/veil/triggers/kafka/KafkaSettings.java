package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.AppSettings;
import java.util.Optional;

/** Reads where a Kafka trigger or output binding connects, as the Azure Kafka extension does. */
final class KafkaSettings {
  private static final java.util.regex.Pattern LEGAL =
      java.util.regex.Pattern.compile("[A-Za-z0-9._-]*");

  private KafkaSettings() {}

  /**
   * The bootstrap servers named by an annotation's {@code brokerList}: {@code %NAME%} or a bare
   * app-setting name is looked up in the app settings, anything else is taken as the list itself.
   * Empty when nothing is configured (no list, or a setting that is declared empty): the embedded
   * in-process queue is used. A {@code %NAME%} whose setting is not declared at all is an error
   * naming it, never a silent fallback.
   */
  static Optional<String> bootstrap(String brokerList, AppSettings settings, String what) {
    String value = setting(brokerList, settings, what + " brokerList").trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /**
   * A value the Azure Kafka extension reads as a "secure setting" (broker list, username, password,
   * key password, file locations): {@code %NAME%} is that app setting and must be declared; a bare
   * name that is an app setting is its value; anything else is the value itself.
   */
  static String setting(String text, AppSettings settings, String what) {
    String value = text == null ? "" : text.trim();
    if (value.length() > 1 && value.startsWith("%") && value.endsWith("%")) {
      String name = value.substring(1, value.length() - 1);
      return settings
          .get(name)
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      what
                          + " '"
                          + value
                          + "' names app setting '"
                          + name
                          + "', which is not set"));
    }
    return value.isEmpty() ? value : settings.get(value, value);
  }

  /** Resolves {@code %NAME%} parts of a name such as a consumer group. */
  static String resolve(String text, AppSettings settings, String what) {
    try {
      return settings.expand(text == null ? "" : text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  /**
   * Resolves a topic name and checks that Kafka accepts it (an illegal name would stall the
   * producer).
   */
  static String topic(String text, AppSettings settings, String what) {
    String value = resolve(text, settings, what);
    if (value.isEmpty() || value.length() > 249 || !LEGAL.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + value
              + "' is not a legal Kafka name (letters, digits, '.', '_', '-'; at most 249)");
    }
    return value;
  }
}
