package dev.veil.functions.keys;

import dev.veil.functions.http.FunctionFailure;

/**
 * A key bundle cannot be loaded now, through no fault of the request: the key storage is
 * unreachable (or its circuit breaker is open), or key loading is at its queue, per-container or
 * memory limit. HTTP 503 with {@code Retry-After}.
 */
public final class KeyLoadUnavailableException extends FunctionFailure {
  private static final long serialVersionUID = 1L;

  public KeyLoadUnavailableException(String message, int retryAfterSeconds) {
    super(message, retryAfterSeconds);
  }
}
