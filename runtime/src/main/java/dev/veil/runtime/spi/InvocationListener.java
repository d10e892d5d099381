package dev.veil.runtime.spi;

/**
 * Hears of every invocation the host finishes, with what its log line says (e.g. for a live log
 * view). Registered with {@link TriggerContext#addInvocationListener}. Called on whichever thread
 * finished the invocation: it must be quick, thread-safe and never block.
 */
@FunctionalInterface
public interface InvocationListener {

  void finished(Event event);

  /**
   * One finished invocation.
   *
   * @param epochMillis when it finished
   * @param status {@code success}, {@code client_error} / {@code server_error} (the function
   *     answered an HTTP error itself) or the failure kind in lower case (e.g. {@code
   *     function_error})
   * @param code the HTTP status the function answered, or 0
   * @param problem the failure's message, or {@code null}
   */
  record Event(
      long epochMillis,
      String function,
      String invocationId,
      String status,
      int code,
      long durationNanos,
      String problem) {}
}
