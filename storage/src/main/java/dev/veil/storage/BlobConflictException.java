package dev.veil.storage;

/**
 * A condition of the call did not hold: the ETag differs ({@code If-Match}), the blob exists
 * ({@code If-None-Match: *}), or a lease stands in the way (held by another, lost, or not named by
 * a write).
 */
public final class BlobConflictException extends StorageException {
  /** Which condition failed. */
  public enum Reason {
    ETAG_MISMATCH,
    ALREADY_EXISTS,
    LEASE
  }

  private final Reason reason;

  public BlobConflictException(Reason reason, String message) {
    this(reason, message, null);
  }

  public BlobConflictException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
