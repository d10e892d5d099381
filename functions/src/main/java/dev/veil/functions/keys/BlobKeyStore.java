package dev.veil.functions.keys;

import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobConflictException;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStore.BlobInfo;
import dev.veil.storage.BlobStore.Conditions;
import dev.veil.storage.LocalBlobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Key bundles in a blob store ({@code veil-storage}): Azure Blob Storage (or Azurite), or the
 * embedded default, a local folder {@code <dir>/<container>/<key_id>}. Bundles are replaced whole,
 * so a reader sees the old or the new one, and each read is pinned to the ETag it reports.
 *
 * <p>Storage failures must not hold requests: on Azure every call has a timeout ({@code
 * callTimeout} to connect and to the response; bundle data may pause at most four times that
 * between chunks), the SDK does not retry (a failed request is answered 503 with Retry-After and
 * the client retries), and a {@link StorageBreaker} fails calls at once while the storage keeps
 * failing.
 */
public final class BlobKeyStore implements KeyStore {

  /**
   * Bundles are streamed in blocks of this size, so a bundle refused early is never read whole; a
   * bundle up to this size (an MNIST one is about 5 MB) comes in a single request.
   */
  private static final int STREAM_BLOCK_BYTES = 8 << 20;

  private final BlobStore storage;
  private final long maxBundleBytes;
  private final StorageBreaker breaker;

  public BlobKeyStore(BlobStore storage, long maxBundleBytes, StorageBreaker breaker) {
    this.storage = storage;
    this.maxBundleBytes = maxBundleBytes;
    this.breaker = breaker;
  }

  /**
   * From a storage connection string, with the default timeouts and breaker (see {@link
   * KeyStoreSettings}).
   */
  public static BlobKeyStore fromConnectionString(String connectionString, long maxBundleBytes) {
    return fromConnectionString(
        connectionString, maxBundleBytes, Duration.ofMillis(1500), defaultBreaker());
  }

  /** From a storage connection string (the value of the configured connection setting). */
  public static BlobKeyStore fromConnectionString(
      String connectionString, long maxBundleBytes, Duration callTimeout, StorageBreaker breaker) {
    AzureBlobStore store;
    try {
      store =
          AzureBlobStore.connect(
              connectionString, new AzureBlobStore.Options(callTimeout, 1, STREAM_BLOCK_BYTES));
    } catch (IllegalArgumentException e) {
      // A client's conn_str is bad input (400); the store's message never quotes an account key.
      throw new InvalidKeyRefException(e.getMessage());
    }
    return new BlobKeyStore(store, maxBundleBytes, breaker);
  }

  /** The embedded default: a local folder with one sub-folder per container. */
  public static BlobKeyStore inFolder(Path dir, long maxBundleBytes) {
    return new BlobKeyStore(new LocalBlobStore(dir), maxBundleBytes, defaultBreaker());
  }

  private static StorageBreaker defaultBreaker() {
    return new StorageBreaker(3, Duration.ofSeconds(10));
  }

  @Override
  public String id() {
    return storage.describe();
  }

  @Override
  public OpenBundle open(KeyRef ref) {
    return call(
        "opening key bundle",
        ref,
        () -> {
          // Check the size first so an oversized blob is refused before any of it is read, then
          // stream exactly
          // that version (If-Match) so bytes and ETag belong together.
          BlobInfo info = storage.properties(ref.container(), ref.keyId());
          if (info.size() > maxBundleBytes) {
            throw new InvalidKeyBundleException(
                "key bundle '"
                    + ref
                    + "' is "
                    + info.size()
                    + " bytes, above the limit of "
                    + maxBundleBytes);
          }
          BlobStore.OpenBlob blob =
              storage.open(ref.container(), ref.keyId(), Conditions.ifMatch(info.etag()));
          return new OpenBundle(blob.stream(), info.size(), info.etag());
        });
  }

  @Override
  public String etag(KeyRef ref) {
    return call(
        "checking key bundle", ref, () -> storage.properties(ref.container(), ref.keyId()).etag());
  }

  @Override
  public String upload(KeyRef ref, byte[] bundle) {
    return call(
        "uploading key bundle", ref, () -> storage.write(ref.container(), ref.keyId(), bundle));
  }

  /** Runs a storage call behind the breaker, naming the bundle in what the storage answered. */
  private <R> R call(String what, KeyRef ref, Supplier<R> call) {
    return breaker.call(
        what,
        () -> {
          try {
            return call.get();
          } catch (BlobNotFoundException e) {
            throw new KeyBundleNotFoundException(ref);
          } catch (BlobConflictException e) {
            // replaced between the size check and the first read: a retry reads the new version
            throw new KeyLoadUnavailableException(
                "key bundle " + ref + " was replaced while being read; retry", 1);
          }
        });
  }
}
