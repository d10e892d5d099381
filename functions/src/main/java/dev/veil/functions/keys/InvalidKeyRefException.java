package dev.veil.functions.keys;

/** A container name or key id that fails validation; the message names the rule (maps to HTTP 400). */
public final class InvalidKeyRefException extends IllegalArgumentException {
    public InvalidKeyRefException(String message) {
        super(message);
    }
}
