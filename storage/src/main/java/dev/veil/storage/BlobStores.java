package dev.veil.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blob stores one owner (a host's blob bindings, a key store) opened, one per connection,
 * closed together. Nothing here is shared between owners: a second host in the same JVM opens its
 * own.
 *
 * <p>A connection is what a {@code connection} app setting holds: an Azure Storage connection
 * string, {@code UseDevelopmentStorage=true} (Azurite on its default port), or Veil's {@code
 * file:/dir} for a local folder.
 */
public final class BlobStores implements AutoCloseable {
  /**
   * Azurite's documented development account on 127.0.0.1:10000, as Azure's tools expand the
   * shorthand.
   */
  private static final String DEVELOPMENT =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
          + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
          + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

  private static final String FILE = "file:";

  private final AzureBlobStore.Options options;
  private final Map<String, BlobStore> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public BlobStores(AzureBlobStore.Options options) {
    this.options = options;
  }

  /** The store for {@code connection}, opened on first use. */
  public BlobStore get(String connection) {
    if (closed) {
      throw new IllegalStateException("these blob stores are closed");
    }
    return open.computeIfAbsent(connection.trim(), c -> connect(c, options));
  }

  /** A new store for {@code connection}, owned by the caller. */
  public static BlobStore connect(String connection, AzureBlobStore.Options options) {
    String c = connection.trim();
    if (c.regionMatches(true, 0, FILE, 0, FILE.length())) {
      return new LocalBlobStore(Path.of(c.substring(FILE.length())));
    }
    return AzureBlobStore.connect(
        c.equalsIgnoreCase("UseDevelopmentStorage=true") ? DEVELOPMENT : c, options);
  }

  /** The connection naming a local folder. */
  public static String folder(Path dir) {
    return FILE + dir.toAbsolutePath();
  }

  @Override
  public void close() {
    closed = true;
    open.values().forEach(BlobStore::close);
    open.clear();
  }
}
