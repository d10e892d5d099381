package dev.veil.triggers.blob;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import java.nio.file.Path;

/**
 * Small state files (e.g. timer schedule status) kept where a {@code connection}'s blobs are: Azure
 * Blob Storage, Azurite or the host's local blob directory, found as a blob trigger finds its
 * store. The one door other trigger packages use into the blob store; its owner closes it. Calls
 * block: run them on a worker thread.
 */
public final class BlobFiles implements AutoCloseable {
  private final BlobStore store;

  private BlobFiles(BlobStore store) {
    this.store = store;
  }

  /**
   * @param connection an app setting name, empty for {@code AzureWebJobsStorage}
   */
  public static BlobFiles forConnection(
      String connection, AppSettings settings, Path dataDirectory) {
    return new BlobFiles(
        BlobStores.connect(
            BlobConnections.resolve(connection, settings, dataDirectory),
            AzureBlobStore.Options.DEFAULT));
  }

  /** The blob's content, or {@code null} if it does not exist. */
  public byte[] read(String container, String name) {
    try {
      return store.read(container, name);
    } catch (BlobNotFoundException e) {
      return null;
    }
  }

  /** Creates or replaces a blob. */
  public void write(String container, String name, byte[] content) {
    store.write(container, name, content);
  }

  /** Where the files are, for logs. */
  public String describe() {
    return store.describe();
  }

  @Override
  public void close() {
    store.close();
  }
}
