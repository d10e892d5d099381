package dev.veil.functions.keys;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Circuit breaker in front of key storage: after {@code failures} consecutive calls failed for
 * reasons of the storage (not a missing or invalid bundle), calls fail at once for {@code openFor},
 * so that requests needing an uncached bundle get their 503 without waiting for timeouts and hold
 * no loader thread. After that time calls go through again; the first failure reopens it.
 */
public final class StorageBreaker {

  private final int failures;
  private final long openNanos;
  private int consecutive;
  private long openUntil;

  public StorageBreaker(int failures, Duration openFor) {
    this.failures = Math.max(1, failures);
    this.openNanos = openFor.toNanos();
  }

  /** Runs {@code call}, turning storage failures into {@link KeyLoadUnavailableException}. */
  public <R> R call(String what, Supplier<R> call) {
    synchronized (this) {
      long left = openUntil - System.nanoTime();
      if (consecutive >= failures && left > 0) {
        throw new KeyLoadUnavailableException(
            "the key storage is unavailable ("
                + consecutive
                + " calls in a row failed); try again later",
            secondsCeil(left));
      }
    }
    try {
      R result = call.get();
      succeeded();
      return result;
    } catch (KeyBundleNotFoundException
        | InvalidKeyBundleException
        | InvalidKeyRefException
        | KeyLoadUnavailableException e) {
      succeeded(); // the storage answered
      throw e;
    } catch (RuntimeException e) {
      int seen;
      synchronized (this) {
        seen = ++consecutive;
        if (seen >= failures) {
          openUntil = System.nanoTime() + openNanos;
        }
      }
      throw new KeyLoadUnavailableException(
          "the key storage is unavailable (" + what + " failed: " + brief(e) + "); try again later",
          seen >= failures ? secondsCeil(openNanos) : 1);
    }
  }

  /** Whether calls currently fail without trying. */
  public synchronized boolean isOpen() {
    return consecutive >= failures && openUntil - System.nanoTime() > 0;
  }

  private synchronized void succeeded() {
    consecutive = 0;
  }

  private static int secondsCeil(long nanos) {
    return (int) Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
  }

  /**
   * The root failure's class only: SDK messages may quote endpoints or signed URLs, which callers
   * must not see.
   */
  private static String brief(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }
}
