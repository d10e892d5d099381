package dev.veil.functions.http;

/**
 * A failure whose meaning the function knows. {@link ErrorResponses} answers each meaning with one
 * status: the request is wrong (400), it names something that does not exist (404), or a dependency
 * is unavailable right now (503, with {@code Retry-After}). Every other exception is a bug, which
 * the host answers with 500.
 */
public class FunctionFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, and the HTTP status that says so. */
  public enum Meaning {
    BAD_INPUT(400),
    NOT_FOUND(404),
    UNAVAILABLE(503);

    private final int status;

    Meaning(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private final Meaning meaning;
  private final int retryAfterSeconds;

  public FunctionFailure(Meaning meaning, String message) {
    this(meaning, message, null);
  }

  public FunctionFailure(Meaning meaning, String message, Throwable cause) {
    super(message, cause);
    this.meaning = meaning;
    this.retryAfterSeconds = 1;
  }

  /**
   * An {@link Meaning#UNAVAILABLE} failure after which a retry may succeed in {@code
   * retryAfterSeconds}.
   */
  protected FunctionFailure(String message, int retryAfterSeconds) {
    super(message);
    this.meaning = Meaning.UNAVAILABLE;
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  public static FunctionFailure badInput(String message) {
    return new FunctionFailure(Meaning.BAD_INPUT, message);
  }

  public static FunctionFailure notFound(String message) {
    return new FunctionFailure(Meaning.NOT_FOUND, message);
  }

  public static FunctionFailure unavailable(String message, int retryAfterSeconds) {
    return new FunctionFailure(message, retryAfterSeconds);
  }

  public Meaning meaning() {
    return meaning;
  }

  /** Seconds after which a retry may succeed (the {@code Retry-After} header of a 503). */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
