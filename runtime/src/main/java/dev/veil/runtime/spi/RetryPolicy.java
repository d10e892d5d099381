package dev.veil.runtime.spi;

import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import java.lang.reflect.Method;
import java.time.Duration;

/**
 * How often and when a failed invocation is tried again, read from {@code @FixedDelayRetry} or
 * {@code @ExponentialBackoffRetry}. {@code maxRetryCount == -1} retries without end (Azure
 * semantics).
 */
public record RetryPolicy(
    int maxRetryCount, Duration firstDelay, Duration maxDelay, boolean exponential) {

  public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO, false);

  /** Whether another attempt may follow {@code retriesSoFar} retries. */
  public boolean allowsRetry(int retriesSoFar) {
    return maxRetryCount == -1 || retriesSoFar < maxRetryCount;
  }

  /** The pause before retry number {@code retry} (1-based). */
  public Duration delayBefore(int retry) {
    if (!exponential) return firstDelay;
    long millis = firstDelay.toMillis() << Math.min(retry - 1, 30);
    return Duration.ofMillis(Math.min(Math.max(millis, 0), maxDelay.toMillis()));
  }

  /** Reads the retry annotation of a function method; {@link #NONE} when it has none. */
  public static RetryPolicy of(Method method) {
    FixedDelayRetry fixed = method.getAnnotation(FixedDelayRetry.class);
    if (fixed != null) {
      return new RetryPolicy(
          fixed.maxRetryCount(), parseInterval(fixed.delayInterval()), Duration.ZERO, false);
    }
    ExponentialBackoffRetry exp = method.getAnnotation(ExponentialBackoffRetry.class);
    if (exp != null) {
      return new RetryPolicy(
          exp.maxRetryCount(),
          parseInterval(exp.minimumInterval()),
          parseInterval(exp.maximumInterval()),
          true);
    }
    return NONE;
  }

  /** Parses the Azure/.NET time span format {@code [d.]hh:mm:ss[.fff]}. */
  public static Duration parseInterval(String text) {
    String s = text.trim();
    try {
      long days = 0;
      int dot = s.indexOf('.');
      int colon = s.indexOf(':');
      if (dot >= 0 && dot < colon) {
        days = Long.parseLong(s.substring(0, dot));
        s = s.substring(dot + 1);
      }
      String[] parts = s.split(":");
      if (parts.length != 3) throw new IllegalArgumentException();
      double seconds = Double.parseDouble(parts[2]);
      return Duration.ofDays(days)
          .plusHours(Long.parseLong(parts[0]))
          .plusMinutes(Long.parseLong(parts[1]))
          .plusNanos(Math.round(seconds * 1e9));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "time span '" + text + "' is not in the format hh:mm:ss", e);
    }
  }
}
