package dev.veil.smpc;

import java.time.Duration;
import java.util.concurrent.Exchanger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two ends of an in-process link (each party on its own thread), for tests and in-process
 * evaluation.
 */
public final class LocalChannel implements Channel {
  private final Exchanger<long[]> exchanger;
  private final Duration timeout;

  private LocalChannel(Exchanger<long[]> exchanger, Duration timeout) {
    this.exchanger = exchanger;
    this.timeout = timeout;
  }

  /** Both ends of one link; a round waits at most {@code timeout} for the peer. */
  public static Channel[] pair(Duration timeout) {
    Exchanger<long[]> e = new Exchanger<>();
    return new Channel[] {new LocalChannel(e, timeout), new LocalChannel(e, timeout)};
  }

  @Override
  public long[] exchange(long[] mine) {
    try {
      long[] theirs = exchanger.exchange(mine, timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (theirs.length != mine.length) {
        throw new PeerException("peer sent " + theirs.length + " values, expected " + mine.length);
      }
      return theirs;
    } catch (TimeoutException e) {
      throw new PeerException("peer did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PeerException("interrupted while waiting for the peer", e);
    }
  }
}
