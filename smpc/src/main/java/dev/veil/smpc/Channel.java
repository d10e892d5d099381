package dev.veil.smpc;

/**
 * The link between the two compute parties. One call is one round: each party sends its values and
 * receives the peer's, of the same length. Implementations: {@link LocalChannel} (two threads of
 * one process) and the HTTP link of the Veil party function.
 */
public interface Channel {

  /**
   * Sends {@code mine} to the peer and returns what the peer sent in the same round.
   *
   * @throws PeerException when the peer does not answer in time, is unreachable, or sends a
   *     malformed message
   */
  long[] exchange(long[] mine);

  /** Why a round could not complete; the message names the problem. */
  final class PeerException extends RuntimeException {
    public PeerException(String message) {
      super(message);
    }

    public PeerException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
