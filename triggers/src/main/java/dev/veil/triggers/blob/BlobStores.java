package dev.veil.triggers.blob;

import dev.veil.runtime.spi.AppSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the blob store a {@code connection} names, as Azure does: the app setting of that name
 * ({@code AzureWebJobsStorage} when empty) holds a storage connection string. Veil adds {@code file:/dir}
 * for a local directory, and uses the local directory {@code <host data>/blobs} when the setting is unset:
 * the embedded default. Stores are shared by the trigger and the bindings of one host.
 */
final class BlobStores {
  static final String DEFAULT_CONNECTION = "AzureWebJobsStorage";
  private static final String DEVELOPMENT = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
      + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
      + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
  private static final Map<String, BlobStore> STORES = new ConcurrentHashMap<>();

  private BlobStores() {}

  static BlobStore forConnection(String connection, AppSettings settings, Path dataDirectory) {
    String name = connection == null || connection.isBlank() ? DEFAULT_CONNECTION
        : connection.trim().replaceAll("^%|%$", "");
    String value = settings.get(name, "").trim();
    if (value.isEmpty()) {
      value = "file:" + dataDirectory.resolve("blobs").toAbsolutePath();
    } else if (value.equalsIgnoreCase("UseDevelopmentStorage=true")) {
      value = DEVELOPMENT;
    }
    return STORES.computeIfAbsent(value, v -> v.startsWith("file:")
        ? new LocalBlobStore(Path.of(v.substring("file:".length())))
        : new AzureBlobStore(v));
  }

  /** Splits a resolved binding path {@code container/blob/name} into its container and blob name. */
  static String[] split(String path, String what) {
    int slash = path.indexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      throw new IllegalArgumentException(what + " path '" + path + "' must be 'container/blobname'");
    }
    return new String[] {path.substring(0, slash), path.substring(slash + 1)};
  }
}
