package dev.veil.functions.keys;

/** A stored key bundle that cannot be used: malformed, too large, or not fitting the model (maps to HTTP 400). */
public final class InvalidKeyBundleException extends RuntimeException {
    public InvalidKeyBundleException(String message) {
        super(message);
    }

    public InvalidKeyBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
