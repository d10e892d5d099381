package dev.veil.functions.keys;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all key loads of a process may take at once (downloaded bytes, decompression buffers,
 * decoded keys). A load reserves its worst case before decoding and releases it when done; a load
 * that does not fit is refused at once (HTTP 503) rather than queued, so that a burst of hostile
 * bundles cannot hold memory.
 */
public final class KeyLoadBudget {

  private final long totalBytes;
  private final AtomicLong reserved = new AtomicLong();

  public KeyLoadBudget(long totalBytes) {
    this.totalBytes = totalBytes;
  }

  /** No bound (tests and tools). */
  public static KeyLoadBudget unbounded() {
    return new KeyLoadBudget(Long.MAX_VALUE);
  }

  /**
   * Reserves {@code bytes} (a load bigger than the whole budget takes all of it, so it runs alone)
   * or throws {@link KeyLoadUnavailableException}; close the reservation when done.
   */
  public Reservation reserve(long wanted) {
    long bytes = Math.min(wanted, totalBytes);
    long now;
    do {
      now = reserved.get();
      if (now + bytes > totalBytes) {
        throw new KeyLoadUnavailableException(
            "key loading is at its memory budget ("
                + totalBytes
                + " bytes in use by other loads); retry shortly",
            2);
      }
    } while (!reserved.compareAndSet(now, now + bytes));
    return new Reservation(bytes);
  }

  /** Bytes reserved by loads in progress. */
  public long reservedBytes() {
    return reserved.get();
  }

  /** A held part of the budget. */
  public final class Reservation implements AutoCloseable {
    private long bytes;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      reserved.addAndGet(-bytes);
      bytes = 0;
    }
  }
}
