package dev.veil.runtime.host;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The fixed set of threads that run user code.
 *
 * <p>A thread that runs out of work keeps looking for a short while before it parks. At a steady
 * request rate a task therefore usually finds a thread still looking, and the event loop that hands
 * it over does not pay for a futex wake-up and a context switch per invocation, which on a small
 * machine costs as much as the whole no-op invocation. While looking, a thread spins for a
 * microsecond, then yields the CPU to anything runnable, and spins again: yielding at once on every
 * empty poll would be a system call per poll, and most gaps between tasks at load are shorter than
 * one; spinning without yielding would hold back the event loops and everything else on the same
 * core. Admission control lives in the invoker, so the queue itself is unbounded.
 */
final class WorkerPool implements Executor {
  /** How long an idle thread keeps looking for work before it parks. */
  private static final long LOOK_NANOS = 50_000;

  /** How long a looking thread spins between two yields. */
  private static final long SPIN_NANOS = 1_000;

  /** At most this many threads look at once: more would only take CPU from the event loops. */
  private static final int MAX_LOOKING = Math.max(1, Runtime.getRuntime().availableProcessors());

  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Queue<Thread> parked = new ConcurrentLinkedQueue<>();
  private final AtomicInteger looking = new AtomicInteger();
  private final Thread[] threads;
  private volatile boolean shutdown;

  WorkerPool(int size, String namePrefix) {
    threads = new Thread[size];
    for (int i = 0; i < size; i++) {
      threads[i] = new Thread(this::work, namePrefix + (i + 1));
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) throw new RejectedExecutionException("the worker pool is shut down");
    tasks.add(task);
    if (looking.get() == 0) wakeOne();
  }

  /** Stops every thread, interrupting the tasks still running; queued tasks are dropped. */
  void shutdownNow() {
    shutdown = true;
    tasks.clear();
    for (Thread t : threads) t.interrupt();
  }

  private void wakeOne() {
    Thread t = parked.poll();
    if (t != null) LockSupport.unpark(t);
  }

  private void work() {
    Thread self = Thread.currentThread();
    while (!shutdown) {
      Runnable task = tasks.poll();
      if (task == null) task = look();
      if (task == null) {
        parked.add(self);
        // Re-check after announcing: a task added before this point is seen here, one added after
        // wakes us.
        if (tasks.isEmpty() && !shutdown) LockSupport.park(this);
        parked.remove(self);
        continue;
      }
      // More work waiting and nobody looking: hand it to a parked thread so blocking tasks still
      // run in parallel.
      if (looking.get() == 0 && !tasks.isEmpty()) wakeOne();
      try {
        task.run();
      } catch (Throwable t) {
        // Tasks report their own failures; a throw must not kill the thread.
      }
      Thread.interrupted(); // a timeout's interrupt belongs to the task it cancelled, not the next
      // one
    }
  }

  private Runnable look() {
    int lookers;
    do {
      lookers = looking.get();
      if (lookers >= MAX_LOOKING) return null;
    } while (!looking.compareAndSet(lookers, lookers + 1));
    try {
      long now = System.nanoTime();
      long deadline = now + LOOK_NANOS;
      long spinEnd = now + SPIN_NANOS;
      Runnable task;
      while ((task = tasks.poll()) == null && !shutdown && (now = System.nanoTime()) < deadline) {
        if (now < spinEnd) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
          spinEnd = System.nanoTime() + SPIN_NANOS;
        }
      }
      return task;
    } finally {
      looking.decrementAndGet();
    }
  }
}
