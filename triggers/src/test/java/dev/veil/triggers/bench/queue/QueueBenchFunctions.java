package dev.veil.triggers.bench.queue;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueOutput;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Functions QueueTimerBenchmark runs: a no-op queue function, an echo through @QueueOutput, a
 * timer.
 */
public class QueueBenchFunctions {
  public static final Clocked NOOP = new Clocked();
  public static final Clocked ECHO = new Clocked();

  /** A call count with the times of the first and the latest call. */
  public static final class Clocked {
    public final AtomicLong count = new AtomicLong();
    public final AtomicLong firstNanos = new AtomicLong();
    public volatile long lastNanos;

    void tick() {
      long now = System.nanoTime();
      firstNanos.compareAndSet(0, now);
      lastNanos = now;
      count.incrementAndGet();
    }

    /** Calls per second from the first call to the latest. */
    public double rate() {
      return (count.get() - 1) / ((lastNanos - firstNanos.get()) / 1e9);
    }
  }

  /** Milliseconds each timer run started after its occurrence. */
  public static final Queue<Long> TIMER_LATE_MS = new ConcurrentLinkedQueue<>();

  @FunctionName("benchNoop")
  public void noop(
      @QueueTrigger(name = "m", queueName = "%NoopQueue%", connection = "BenchStorage")
          String message) {
    NOOP.tick();
  }

  @FunctionName("benchEcho")
  public void echo(
      @QueueTrigger(name = "m", queueName = "%EchoQueue%", connection = "BenchStorage")
          String message,
      @QueueOutput(name = "out", queueName = "%EchoQueue%-out", connection = "BenchStorage")
          OutputBinding<String> out) {
    out.setValue(message);
    ECHO.tick();
  }

  @FunctionName("benchTimer")
  public void timer(@TimerTrigger(name = "t", schedule = "%BenchSchedule%") String timer) {
    long now = System.currentTimeMillis();
    // the schedule fires every second on the second: the occurrence is the second this run belongs
    // to
    TIMER_LATE_MS.add(now % 1000);
  }
}
