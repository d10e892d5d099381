package dev.veil.functions.keys;

import dev.veil.functions.http.FunctionFailure;

/**
 * A container name or key id that fails validation; the message names the rule (maps to HTTP 400).
 */
public final class InvalidKeyRefException extends FunctionFailure {
  public InvalidKeyRefException(String message) {
    super(Meaning.BAD_INPUT, message);
  }
}
