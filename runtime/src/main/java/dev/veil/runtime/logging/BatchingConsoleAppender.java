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
 * loop) only formats the message and enqueues the event; one writer thread encodes whatever has queued up and
 * writes it with a single system call, where logback's AsyncAppender + ConsoleAppender make one per line.
 * When the queue is full, events below WARN are dropped so that no request waits for the console; WARN and
 * ERROR wait for room.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
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
    event.prepareForDeferredProcessing(); // message and thread name are taken now, on the caller's thread
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
      while (true) {
        batch.add(queue.take());
        queue.drainTo(batch);
        write(batch, buffer);
      }
    } catch (InterruptedException stopping) {
      queue.drainTo(batch); // what was logged before stop() still goes out
      write(batch, buffer);
    }
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
