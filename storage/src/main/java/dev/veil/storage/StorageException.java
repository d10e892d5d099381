package dev.veil.storage;

/** A blob store call failed for one of the reasons its subclasses name. */
public abstract class StorageException extends RuntimeException {
  protected StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
