package dev.veil.storage;

/**
 * The storage did not answer in time, answered with a server error, refused this account's
 * credentials, or its folder could not be read or written. Messages name the store and the status,
 * never a key or a signed URL.
 */
public final class StorageUnavailableException extends StorageException {
  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
