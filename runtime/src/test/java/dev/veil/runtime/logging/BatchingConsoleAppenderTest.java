package dev.veil.runtime.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {
  @Test
  void mutableArgumentsAreFormattedWhenLoggedNotWhenWritten() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    BatchingConsoleAppender appender = start(context, out, 1 << 16);
    Logger logger = context.getLogger("test");
    StringBuilder mutable = new StringBuilder("before");
    logger.warn("value={} count={}", mutable, 3);
    mutable.replace(0, mutable.length(), "after");
    appender.stop();
    assertEquals("value=before count=3\n", out.toString(StandardCharsets.UTF_8));
  }

  private static BatchingConsoleAppender start(
      LoggerContext context, OutputStream out, int maxBufferedBytes) {
    context.setMDCAdapter(
        new LogbackMDCAdapter()); // a context made outside SLF4J's bootstrap has none
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    BatchingConsoleAppender appender = new BatchingConsoleAppender(out);
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setMaxBufferedBytes(maxBufferedBytes);
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
    BatchingConsoleAppender appender =
        start(context, out, 256); // far smaller than the load: WARN lines wait, not drop
    Logger logger = context.getLogger("test");

    int threads = 4;
    int lines = 2000;
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
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

  @Test
  void whileTheConsoleIsStuckInfoLinesAreDroppedAndCountedNotQueuedWithoutBound() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream stuck =
        new OutputStream() { // the first write blocks until released, like a full pipe
          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public synchronized void write(byte[] b, int off, int len) throws IOException {
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
            written.write(b, off, len);
          }
        };
    LoggerContext context = new LoggerContext();
    BatchingConsoleAppender appender = start(context, stuck, 100);
    Logger logger = context.getLogger("test");
    logger.info("first");
    Thread.sleep(
        5
            * BatchingConsoleAppender
                .FLUSH_MILLIS); // the writer takes "first" and blocks on the console
    for (int i = 0; i < 1000; i++) logger.info("line {}", i); // 100 bytes hold only a few of these
    release.countDown();
    appender.stop();

    String[] lines = written.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals("first", lines[0]);
    String last = lines[lines.length - 1];
    assertTrue(last.endsWith("log line(s) below WARN dropped: the console did not keep up"), last);
    int kept = lines.length - 2;
    assertTrue(kept > 0 && kept < 20, kept + " lines kept");
    assertEquals(1000 - kept, Integer.parseInt(last.substring(0, last.indexOf(' '))));
    for (int i = 0; i < kept; i++) assertEquals("line " + i, lines[i + 1]);
  }
}
