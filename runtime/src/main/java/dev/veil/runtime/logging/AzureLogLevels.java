package dev.veil.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * host.json {@code logging.logLevel} as the Azure host reads it: {@code default}, {@code Function},
 * {@code Function.<name>} and {@code Host.*} categories with the levels {@code Trace}, {@code
 * Debug}, {@code Information}, {@code Warning}, {@code Error}, {@code Critical} and {@code None}.
 * Function code logs through {@code java.util.logging} loggers named {@code Function.<name>}, so
 * those get the level on both sides of the bridge; {@code Host.Results} (one line per invocation)
 * is {@code dev.veil.invocations}, every other {@code Host} category is the host's own {@code
 * dev.veil} loggers; {@code default} is the root.
 */
public final class AzureLogLevels {
  private static final Logger LOG = LoggerFactory.getLogger(AzureLogLevels.class);

  /** java.util.logging holds loggers weakly: a level set on one that is collected would be lost. */
  private static final List<java.util.logging.Logger> KEPT = new ArrayList<>();

  private AzureLogLevels() {}

  /**
   * Applies {@code logging.logLevel}; does nothing when logback is not the logging back end.
   *
   * @throws IllegalArgumentException naming the category whose level is not one of Azure's
   */
  public static void apply(JsonObject logLevel) {
    if (logLevel.isEmpty()) return;
    for (String category : logLevel.fieldNames()) {
      String value = String.valueOf(logLevel.getValue(category));
      Level level = level(value);
      if (level == null) {
        throw new IllegalArgumentException(
            "host.json: logging.logLevel."
                + category
                + " is '"
                + value
                + "'; use Trace, Debug, Information, Warning, Error, Critical or None");
      }
      String logger = loggerFor(category);
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
        context.getLogger(logger).setLevel(level);
      }
      if (category.equals("Function")
          || category.startsWith("Function.")
          || category.equalsIgnoreCase("default")) {
        java.util.logging.Logger jul =
            java.util.logging.Logger.getLogger(category.equalsIgnoreCase("default") ? "" : logger);
        jul.setLevel(julLevel(level));
        synchronized (KEPT) {
          KEPT.add(jul);
        }
      }
      LOG.info("logging.logLevel: {} ({}) at {}", category, logger, level);
    }
  }

  static String loggerFor(String category) {
    if (category.equalsIgnoreCase("default")) return org.slf4j.Logger.ROOT_LOGGER_NAME;
    if (category.equals("Host.Results")) return "dev.veil.invocations";
    if (category.equals("Host") || category.startsWith("Host.")) return "dev.veil";
    return category; // Function, Function.<name>, or a library's own logger name
  }

  static Level level(String azure) {
    return switch (azure.toLowerCase(Locale.ROOT)) {
      case "trace" -> Level.TRACE;
      case "debug" -> Level.DEBUG;
      case "information" -> Level.INFO;
      case "warning" -> Level.WARN;
      case "error", "critical" -> Level.ERROR;
      case "none" -> Level.OFF;
      default -> null;
    };
  }

  private static java.util.logging.Level julLevel(Level level) {
    return switch (level.toInt()) {
      case Level.TRACE_INT -> java.util.logging.Level.FINEST;
      case Level.DEBUG_INT -> java.util.logging.Level.FINE;
      case Level.INFO_INT -> java.util.logging.Level.INFO;
      case Level.WARN_INT -> java.util.logging.Level.WARNING;
      case Level.ERROR_INT -> java.util.logging.Level.SEVERE;
      default -> java.util.logging.Level.OFF;
    };
  }
}
