package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The start-up log tells a new user where the keys are and what to call; a taken port is named. */
class StartupGuideTest {
  @TempDir Path data;

  @Test
  void startLogNamesTheKeysFileACommandAndEveryHttpUrlButNoKey() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(VeilHost.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    VeilHost host =
        Http.start(
            new HostOptions().port(0).dataDirectory(data).functionClass(TestFunctions.class));
    try {
      List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      String log = String.join("\n", lines);
      String keys = data.resolve("keys.json").toAbsolutePath().toString();
      assertTrue(log.contains("keys: " + keys), log);
      assertTrue(log.contains("node -p 'require(\"" + keys + "\").hostKeys.default'"), log);
      String base = "http://127.0.0.1:" + host.port();
      assertTrue(log.contains(base + "/api/hello/{name}  [GET] hello"), log);
      assertTrue(log.contains(base + "/api/files/{*path}"), log);
      assertFalse(log.contains(host.keys().hostKey()), "the host key itself must never be logged");
      assertFalse(
          log.contains(host.keys().masterKey()), "the master key itself must never be logged");

      // The command printed really reads the key.
      Process node =
          new ProcessBuilder("node", "-p", "require(\"" + keys + "\").hostKeys.default").start();
      assertEquals(host.keys().hostKey(), new String(node.getInputStream().readAllBytes()).trim());

      ExecutionException taken =
          assertThrows(
              ExecutionException.class,
              () ->
                  Http.start(
                      new HostOptions()
                          .port(host.port())
                          .dataDirectory(data.resolve("second"))
                          .functionClass(TestFunctions.class)));
      String message = taken.getCause().getMessage();
      assertTrue(
          message.contains("port " + host.port() + " on 127.0.0.1 is already in use"), message);
      assertTrue(message.contains("--port"), message);
    } finally {
      logger.detachAppender(appender);
      Http.await(host.close());
    }
  }
}
