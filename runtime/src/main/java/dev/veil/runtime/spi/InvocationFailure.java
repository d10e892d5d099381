package dev.veil.runtime.spi;

/**
 * Why an invocation did not succeed. Triggers map the {@link Kind} to their transport: HTTP answers
 * 400/429/503/504/500, a Kafka consumer pauses on {@link Kind#OVER_CAPACITY}, and so on.
 */
public final class InvocationFailure extends RuntimeException {

  public enum Kind {
    /**
     * The payload or a binding does not fit (bad JSON, wrong type, or the function threw
     * IllegalArgumentException).
     */
    BAD_INPUT,
    /** The concurrency limit is reached; nothing ran. Try again later. */
    OVER_CAPACITY,
    /** The host is shutting down and takes no new invocations; nothing ran. */
    SHUTTING_DOWN,
    /** The function ran past the host's functionTimeout (after all retries). */
    TIMEOUT,
    /** The function threw (after all retries), or an output binding could not be written. */
    FUNCTION_ERROR,
    /** No such function is running on this host. */
    NOT_FOUND
  }

  private final Kind kind;
  private final String invocationId;

  public InvocationFailure(Kind kind, String invocationId, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
    this.invocationId = invocationId;
  }

  /**
   * A payload that does not fit; the message names the problem and is safe to show to the caller.
   */
  public static InvocationFailure badInput(String message) {
    return new InvocationFailure(Kind.BAD_INPUT, null, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The invocation id, or {@code null} when the failure arose before an invocation existed. */
  public String invocationId() {
    return invocationId;
  }

  /** The same failure tagged with an invocation id. */
  public InvocationFailure withInvocationId(String id) {
    return new InvocationFailure(kind, id, getMessage(), getCause());
  }
}
