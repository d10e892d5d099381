package dev.veil.triggers.blob;

import dev.veil.runtime.spi.AppSettings;
import java.nio.file.Path;

/**
 * Small state files (e.g. timer schedule status) kept where a {@code connection}'s blobs are: Azure Blob
 * Storage, Azurite or the host's local blob directory, found as {@link BlobStores} finds a trigger's store.
 * The one door other trigger packages use into the blob store. Calls block: run them on a worker thread.
 */
public final class BlobFiles {
  private final BlobStore store;

  private BlobFiles(BlobStore store) {
    this.store = store;
  }

  /** @param connection an app setting name, empty for {@code AzureWebJobsStorage} */
  public static BlobFiles forConnection(String connection, AppSettings settings, Path dataDirectory) {
    return new BlobFiles(BlobStores.forConnection(connection, settings, dataDirectory));
  }

  /** The blob's content, or {@code null} if it does not exist. */
  public byte[] read(String container, String name) {
    return store.read(container, name);
  }

  /** Creates or replaces a blob. */
  public void write(String container, String name, byte[] content) {
    store.write(container, name, content);
  }

  /** Where the files are, for logs. */
  public String describe() {
    return store.describe();
  }
}
