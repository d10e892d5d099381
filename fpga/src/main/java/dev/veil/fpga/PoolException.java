package dev.veil.fpga;

/**
 * A request the pool could not serve, with the HTTP status a front end should answer: 429 when the
 * model's queue is full, 504 when the request timed out, 503 when no worker can serve the model,
 * 400 when the input does not fit the model.
 */
public class PoolException extends RuntimeException {
  private final int httpStatus;

  public PoolException(int httpStatus, String message) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public static PoolException queueFull(String model, int capacity) {
    return new PoolException(
        429,
        "model '"
            + model
            + "' is overloaded: its queue holds "
            + capacity
            + " requests already; retry later");
  }

  public static PoolException timedOut(String model, long timeoutMs) {
    return new PoolException(
        504, "model '" + model + "' did not answer within " + timeoutMs + " ms");
  }

  public static PoolException noWorker(String model) {
    return new PoolException(503, "no healthy worker serves model '" + model + "'");
  }

  public static PoolException badInput(String message) {
    return new PoolException(400, message);
  }
}
