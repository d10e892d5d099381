package dev.veil.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The distribution's logging set-up, in code: building it costs about half the CPU of having
 * logback read and interpret an XML file at every start (see BENCHMARKS.md, cold start). Listed as
 * a logback {@code Configurator} service by veil.jar only; module tests keep their own
 * configuration.
 *
 * <p>Invocation lines go through {@link BatchingConsoleAppender} (one line per invocation must not
 * make a request wait for the console). {@code dev.veil} logs at {@code VEIL_LOG_LEVEL} (system
 * property or environment variable; INFO by default), everything else at WARN. A user's own file
 * named by {@code -Dlogback.configurationFile} replaces all of this.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfiguration extends ContextAwareBase implements Configurator {
  private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.NEUTRAL;
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    BatchingConsoleAppender console = new BatchingConsoleAppender();
    console.setContext(context);
    console.setName("async");
    console.setMaxBufferedBytes(1 << 20);
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(console);
    String level = System.getProperty("VEIL_LOG_LEVEL", System.getenv("VEIL_LOG_LEVEL"));
    context.getLogger("dev.veil").setLevel(Level.toLevel(level, Level.INFO));
    context.getLogger("Function").setLevel(Level.INFO);
    // The Azure SDK's JDK HTTP client warns about things users cannot act on (JDK-restricted
    // headers); Caffeine warns with a stack trace for every failed asynchronous load, including
    // keys
    // a client sent wrong (the caller and the invocation log already have the error).
    context.getLogger("com.azure.core.http.jdk.httpclient").setLevel(Level.ERROR);
    context.getLogger("com.github.benmanes.caffeine").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
