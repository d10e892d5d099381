package dev.veil.he;

/**
 * Any failure of the CKKS engine: malformed or foreign serialized bytes, parameters SEAL would
 * reject, operands that cannot be combined, a missing key, or a native library that cannot be
 * loaded. The message names the problem and is safe to show to the caller.
 */
public class HeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HeException(String message) {
    super(message);
  }

  public HeException(String message, Throwable cause) {
    super(message, cause);
  }
}
