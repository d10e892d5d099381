package dev.veil.runtime.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import org.junit.jupiter.api.Test;

class LogConfigurationTest {
  @Test
  void setsUpTheBatchingConsoleAndTheDistributionsLevels() {
    LoggerContext context = new LoggerContext();
    LogConfiguration configuration = new LogConfiguration();
    configuration.setContext(context);
    try {
      assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, configuration.configure(context));
      ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      assertEquals(Level.WARN, root.getLevel());
      assertInstanceOf(BatchingConsoleAppender.class, root.getAppender("async"));
      assertEquals(
          Level.toLevel(System.getenv("VEIL_LOG_LEVEL"), Level.INFO),
          context.getLogger("dev.veil").getLevel());
      assertEquals(Level.ERROR, context.getLogger("com.github.benmanes.caffeine").getLevel());
    } finally {
      context.stop();
    }
  }

  @Test
  void stepsAsideForAConfigurationFileTheUserNames() {
    LoggerContext context = new LoggerContext();
    LogConfiguration configuration = new LogConfiguration();
    configuration.setContext(context);
    System.setProperty("logback.configurationFile", "user-logback.xml");
    try {
      assertEquals(ExecutionStatus.NEUTRAL, configuration.configure(context));
      assertEquals(null, context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("async"));
    } finally {
      System.clearProperty("logback.configurationFile");
      context.stop();
    }
  }
}
