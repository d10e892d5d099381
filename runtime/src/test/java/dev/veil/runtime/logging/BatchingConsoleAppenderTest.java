package dev.veil.runtime.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {
  @Test
  void mutableArgumentsAreFormattedWhenLoggedNotWhenWritten() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    BatchingConsoleAppender appender = start(context, out, 16);
    Logger logger = context.getLogger("test");
    StringBuilder mutable = new StringBuilder("before");
    logger.warn("value={} count={}", mutable, 3);
    mutable.replace(0, mutable.length(), "after");
    appender.stop();
    assertEquals("value=before count=3\n", out.toString(StandardCharsets.UTF_8));
  }

  private static BatchingConsoleAppender start(LoggerContext context, ByteArrayOutputStream out, int queueSize) {
    context.setMDCAdapter(new LogbackMDCAdapter()); // a context made outside SLF4J's bootstrap has none
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    BatchingConsoleAppender appender = new BatchingConsoleAppender(out);
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setQueueSize(queueSize);
    appender.start();
    Logger logger = context.getLogger("test");
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    return appender;
  }

  @Test
  void everyLineFromManyThreadsIsWrittenOnceInEachThreadsOrder() throws Exception {
    LoggerContext context = new LoggerContext();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BatchingConsoleAppender appender = start(context, out, 64); // smaller than the load: WARN lines wait, not drop
    Logger logger = context.getLogger("test");

    int threads = 4;
    int lines = 2000;
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w = new Thread(() -> {
        for (int i = 0; i < lines; i++) logger.warn("t{} line {}", id, i);
      });
      w.start();
      writers.add(w);
    }
    for (Thread w : writers) w.join();
    appender.stop();

    String[] written = out.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(threads * lines, written.length);
    int[] next = new int[threads];
    for (String line : written) {
      int t = line.charAt(1) - '0';
      assertEquals("t" + t + " line " + next[t], line);
      next[t]++;
    }
  }
}
