package dev.veil.triggers.queue;

import dev.veil.runtime.spi.AppSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the queue service a {@code connection} names, as Azure does: the app setting of that name
 * ({@code AzureWebJobsStorage} when empty) holds a storage connection string ({@code
 * UseDevelopmentStorage=true} = Azurite on 127.0.0.1:10001). Unset → the embedded local queue in
 * {@code <host data>/queues}; {@code file:/dir} (the blob store's local form) → the local queue in
 * {@code /dir/queues}. Services are shared by the trigger and the output binding.
 */
final class QueueServices {
  static final String DEFAULT_CONNECTION = "AzureWebJobsStorage";
  private static final String DEVELOPMENT =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
          + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
          + "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;";
  private static final Map<String, QueueService> SERVICES = new ConcurrentHashMap<>();

  private QueueServices() {}

  static QueueService forConnection(String connection, AppSettings settings, Path dataDirectory) {
    String name =
        connection == null || connection.isBlank()
            ? DEFAULT_CONNECTION
            : connection.trim().replaceAll("^%|%$", "");
    String value = settings.get(name, "").trim();
    if (value.isEmpty()) {
      value = "file:" + dataDirectory.resolve("queues").toAbsolutePath();
    } else if (value.equalsIgnoreCase("UseDevelopmentStorage=true")) {
      value = DEVELOPMENT;
    } else if (value.startsWith("file:")) {
      // a local blob directory (BlobStores' file: form): queues go next to the blobs
      value =
          "file:" + Path.of(value.substring("file:".length())).resolve("queues").toAbsolutePath();
    } else if (!value.contains("QueueEndpoint=")
        && (value.contains("BlobEndpoint=") || !value.contains("AccountName="))) {
      throw new IllegalArgumentException(
          "app setting '"
              + name
              + "' is not a storage connection string with a "
              + "queue endpoint (QueueEndpoint=..., or AccountName=... for Azure)");
    }
    return SERVICES.computeIfAbsent(
        value,
        v ->
            v.startsWith("file:")
                ? new LocalQueueService(Path.of(v.substring("file:".length())))
                : new AzureQueueService(v));
  }
}
