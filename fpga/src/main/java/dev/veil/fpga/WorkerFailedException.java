package dev.veil.fpga;

/**
 * The worker itself failed (stopped, crashed, unreachable): its batch may be retried on another
 * worker.
 */
public class WorkerFailedException extends RuntimeException {
  public WorkerFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
