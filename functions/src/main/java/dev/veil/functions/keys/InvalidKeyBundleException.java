package dev.veil.functions.keys;

import dev.veil.functions.http.FunctionFailure;

/**
 * A stored key bundle that cannot be used: malformed, too large, or not fitting the model (maps to
 * HTTP 400).
 */
public final class InvalidKeyBundleException extends FunctionFailure {
  public InvalidKeyBundleException(String message) {
    super(Meaning.BAD_INPUT, message);
  }

  public InvalidKeyBundleException(String message, Throwable cause) {
    super(Meaning.BAD_INPUT, message, cause);
  }
}
