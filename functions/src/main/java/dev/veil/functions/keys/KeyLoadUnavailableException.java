package dev.veil.functions.keys;

/**
 * A key bundle cannot be loaded now, through no fault of the request: the key storage is unreachable (or its
 * circuit breaker is open), or key loading is at its queue, per-container or memory limit. HTTP 503 with
 * {@code Retry-After}.
 */
public final class KeyLoadUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int retryAfterSeconds;

    public KeyLoadUnavailableException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** Seconds after which a retry may succeed (the Retry-After header). */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
