package dev.veil.runtime.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Asynchronous console output for the host's one-line-per-invocation log. The logging thread (often an event
 * loop) only enqueues the event; one writer thread formats and encodes whatever has queued up and writes it
 * with a single system call, where logback's AsyncAppender + ConsoleAppender make one per line. While lines
 * keep coming the writer polls every millisecond instead of waiting on the queue, so loggers do not pay for
 * waking it; after {@value #IDLE_POLLS_BEFORE_WAITING} empty polls it waits. When the queue is full, events
 * below WARN are dropped so that no request waits for the console; WARN and ERROR wait for room.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final int IDLE_POLLS_BEFORE_WAITING = 200;

  private final OutputStream out;
  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 8192;
  private BlockingQueue<ILoggingEvent> queue;
  private Thread writer;

  public BatchingConsoleAppender() {
    this(new FileOutputStream(FileDescriptor.out));
  }

  BatchingConsoleAppender(OutputStream out) {
    this.out = out;
  }

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    if (queueSize < 1) {
      addError("queueSize must be positive, got " + queueSize);
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    writer = new Thread(this::writeUntilStopped, "veil-log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  public void stop() {
    if (!isStarted()) return;
    super.stop();
    writer.interrupt();
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  protected void append(ILoggingEvent event) {
    // Thread name and MDC belong to the caller's thread; the message may wait for the writer unless an
    // argument could change in the meantime.
    event.getThreadName();
    event.getMDCPropertyMap();
    if (!immutable(event.getArgumentArray())) event.getFormattedMessage();
    if (queue.offer(event) || !event.getLevel().isGreaterOrEqual(Level.WARN)) return;
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeUntilStopped() {
    List<ILoggingEvent> batch = new ArrayList<>();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);
    try {
      int idlePolls = 0;
      while (true) {
        queue.drainTo(batch);
        if (!batch.isEmpty()) {
          write(batch, buffer);
          idlePolls = 0;
        } else if (idlePolls++ < IDLE_POLLS_BEFORE_WAITING) {
          Thread.sleep(1);
        } else {
          batch.add(queue.take());
          idlePolls = 0;
        }
      }
    } catch (InterruptedException stopping) {
      queue.drainTo(batch); // what was logged before stop() still goes out
      write(batch, buffer);
    }
  }

  private static boolean immutable(Object[] arguments) {
    if (arguments == null) return true;
    for (Object a : arguments) {
      if (!(a == null || a instanceof String || a instanceof Number && a.getClass().getName().startsWith("java.lang.")
          || a instanceof Boolean || a instanceof Enum<?>)) {
        return false;
      }
    }
    return true;
  }

  private void write(List<ILoggingEvent> batch, ByteArrayOutputStream buffer) {
    try {
      for (ILoggingEvent event : batch) buffer.write(encoder.encode(event));
      buffer.writeTo(out);
      out.flush();
    } catch (IOException | RuntimeException e) {
      addError("could not write " + batch.size() + " log event(s)", e);
    } finally {
      batch.clear();
      buffer.reset();
    }
  }
}
