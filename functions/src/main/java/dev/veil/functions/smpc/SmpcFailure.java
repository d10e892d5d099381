package dev.veil.functions.smpc;

/**
 * A failure of a secure-serving request with the HTTP status that describes it and a message naming
 * the problem.
 */
public final class SmpcFailure extends RuntimeException {
  private final int status;

  public SmpcFailure(int status, String message) {
    super(message);
    this.status = status;
  }

  /** A request the caller got wrong (400), naming the problem. */
  public static SmpcFailure badInput(String message) {
    return new SmpcFailure(400, message);
  }

  public SmpcFailure(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
