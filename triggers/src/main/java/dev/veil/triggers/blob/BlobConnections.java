package dev.veil.triggers.blob;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.storage.BlobStores;
import java.nio.file.Path;

/**
 * Finds the storage a binding's {@code connection} names, as Azure does: the app setting of that
 * name ({@code AzureWebJobsStorage} when empty) holds a storage connection string. Veil adds {@code
 * file:/dir} for a local folder, and uses the local folder {@code <host data>/blobs} when the
 * setting is unset: the embedded default.
 */
final class BlobConnections {
  static final String DEFAULT_CONNECTION = "AzureWebJobsStorage";

  private BlobConnections() {}

  /** The connection (see {@link BlobStores}) that a binding's {@code connection} property names. */
  static String resolve(String connection, AppSettings settings, Path dataDirectory) {
    String name =
        connection == null || connection.isBlank()
            ? DEFAULT_CONNECTION
            : connection.trim().replaceAll("^%|%$", "");
    String value = settings.get(name, "").trim();
    return value.isEmpty() ? BlobStores.folder(dataDirectory.resolve("blobs")) : value;
  }

  /**
   * Splits a resolved binding path {@code container/blob/name} into its container and blob name.
   */
  static String[] split(String path, String what) {
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      throw new IllegalArgumentException(
          what + " path '" + path + "' must be 'container/blobname'");
    }
    return new String[] {path.substring(0, slash), path.substring(slash + 1)};
  }
}
