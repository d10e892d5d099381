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
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Console output for the host's one-line-per-invocation log, built so that logging costs a request
 * as little as possible on a busy machine.
 *
 * <p>The logging thread encodes its event at once (so arguments are read when logged) and appends
 * the bytes to a shared buffer; it never makes a system call. One writer thread takes the whole
 * buffer every {@value #FLUSH_MILLIS} ms, or sooner once {@value #EARLY_FLUSH_BYTES} bytes wait,
 * and writes it with a single system call. logback's AsyncAppender + ConsoleAppender instead hand
 * over each event, wake the writer for it and make one write per line, which at tens of thousands
 * of lines a second costs more than the request. After a second without lines the writer waits
 * until the next one arrives.
 *
 * <p>When the console cannot keep up and {@code maxBufferedBytes} are waiting, lines below WARN are
 * dropped (and the number dropped is written once there is room) so that no request waits for the
 * console; WARN and ERROR lines wait for room.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  static final long FLUSH_MILLIS = 10;
  static final int EARLY_FLUSH_BYTES = 64 * 1024;
  private static final int IDLE_FLUSHES_BEFORE_WAITING = 100;

  private final OutputStream out;
  private Encoder<ILoggingEvent> encoder;
  private int maxBufferedBytes = 1 << 20;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();
  private ByteArrayOutputStream filling = new ByteArrayOutputStream(EARLY_FLUSH_BYTES);
  private ByteArrayOutputStream draining = new ByteArrayOutputStream(EARLY_FLUSH_BYTES);
  private long dropped;
  private boolean earlyFlushAsked;
  private volatile boolean writerWaiting;
  private volatile boolean stopping;
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

  /**
   * How many encoded bytes may wait for the console before lines below WARN are dropped (default 1
   * MiB).
   */
  public void setMaxBufferedBytes(int maxBufferedBytes) {
    this.maxBufferedBytes = maxBufferedBytes;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    if (maxBufferedBytes < 1) {
      addError("maxBufferedBytes must be positive, got " + maxBufferedBytes);
      return;
    }
    stopping = false;
    writer = new Thread(this::writeUntilStopped, "veil-log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  public void stop() {
    if (!isStarted()) return;
    super.stop();
    stopping = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!writer.isAlive()) flush(); // a line appended while the writer made its last flush
  }

  @Override
  protected void append(ILoggingEvent event) {
    byte[] line = encoder.encode(event);
    boolean important = event.getLevel().isGreaterOrEqual(Level.WARN);
    boolean askEarlyFlush;
    lock.lock();
    try {
      while (filling.size() + line.length > maxBufferedBytes && filling.size() > 0) {
        if (!important || stopping) {
          dropped++;
          return;
        }
        wakeWriter();
        room.awaitUninterruptibly();
      }
      filling.write(line, 0, line.length);
      askEarlyFlush = filling.size() >= EARLY_FLUSH_BYTES && !earlyFlushAsked;
      if (askEarlyFlush) earlyFlushAsked = true;
    } finally {
      lock.unlock();
    }
    if (askEarlyFlush || writerWaiting) wakeWriter();
  }

  private void wakeWriter() {
    writerWaiting = false;
    LockSupport.unpark(writer);
  }

  private void writeUntilStopped() {
    int idleFlushes = 0;
    while (true) {
      boolean last = stopping;
      if (flush()) {
        idleFlushes = 0;
      } else if (++idleFlushes >= IDLE_FLUSHES_BEFORE_WAITING && !last) {
        // Announce before the last look: a line appended after that look sees the flag and wakes
        // us.
        writerWaiting = true;
        if (isEmpty()) LockSupport.park(this);
        writerWaiting = false;
        idleFlushes = 0;
        continue;
      }
      if (last) return;
      LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS));
    }
  }

  private boolean isEmpty() {
    lock.lock();
    try {
      return filling.size() == 0;
    } finally {
      lock.unlock();
    }
  }

  /** Writes what has been appended so far; false when there was nothing. */
  private boolean flush() {
    long droppedNow;
    lock.lock();
    try {
      if (filling.size() == 0 && dropped == 0) return false;
      ByteArrayOutputStream full = filling;
      filling = draining;
      draining = full;
      droppedNow = dropped;
      dropped = 0;
      earlyFlushAsked = false;
      room.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      draining.writeTo(out);
      if (droppedNow > 0) {
        out.write(
            (droppedNow + " log line(s) below WARN dropped: the console did not keep up\n")
                .getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
    } catch (IOException | RuntimeException e) {
      addError("could not write " + draining.size() + " bytes of log", e);
    } finally {
      draining.reset();
    }
    return true;
  }
}
