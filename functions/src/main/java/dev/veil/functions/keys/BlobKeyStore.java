package dev.veil.functions.keys;

import com.azure.core.http.HttpClient;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.time.Duration;

/**
 * Key bundles in Azure Blob Storage (or Azurite), through the Azure Storage Blob SDK.
 *
 * <p>Storage failures must not hold requests: every call has a timeout ({@code callTimeout} to connect and to
 * the response; bundle data may pause at most four times that between chunks), the SDK does not retry
 * (a failed request is answered 503 with Retry-After and the client retries), and a {@link StorageBreaker}
 * fails calls at once while the storage keeps failing.
 */
public final class BlobKeyStore implements KeyStore {

    /**
     * Bundles are streamed in blocks of this size, so a bundle refused early is never read whole; a bundle up to
     * this size (an MNIST one is about 5 MB) comes in a single request.
     */
    private static final int STREAM_BLOCK_BYTES = 8 << 20;

    private final BlobServiceClient service;
    private final long maxBundleBytes;
    private final Duration callTimeout;
    private final StorageBreaker breaker;

    public BlobKeyStore(BlobServiceClient service, long maxBundleBytes, Duration callTimeout, StorageBreaker breaker) {
        this.service = service;
        this.maxBundleBytes = maxBundleBytes;
        this.callTimeout = callTimeout;
        this.breaker = breaker;
    }

    /** From a storage connection string, with the default timeouts and breaker (see {@link KeyStoreSettings}). */
    public static BlobKeyStore fromConnectionString(String connectionString, long maxBundleBytes) {
        return fromConnectionString(connectionString, maxBundleBytes, Duration.ofMillis(1500),
            new StorageBreaker(3, Duration.ofSeconds(10)));
    }

    /** From a storage connection string (the value of the configured connection setting). */
    public static BlobKeyStore fromConnectionString(String connectionString, long maxBundleBytes, Duration callTimeout,
                                                    StorageBreaker breaker) {
        BlobServiceClient client;
        try {
            HttpClientOptions http = new HttpClientOptions()
                .setConnectTimeout(callTimeout)
                .setResponseTimeout(callTimeout)
                .setReadTimeout(callTimeout.multipliedBy(4));
            client = new BlobServiceClientBuilder().connectionString(connectionString)
                .httpClient(HttpClient.createDefault(http))
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, (Integer) null, null, null, null))
                .buildClient();
        } catch (IllegalArgumentException e) {
            // The SDK's message may quote the string; never echo an account key back.
            throw new InvalidKeyRefException("the storage connection string is malformed");
        }
        return new BlobKeyStore(client, maxBundleBytes, callTimeout, breaker);
    }

    @Override
    public String id() {
        return "blob:" + service.getAccountUrl();
    }

    private BlobClient blob(KeyRef ref) {
        return service.getBlobContainerClient(ref.container()).getBlobClient(ref.keyId());
    }

    private BlobProperties properties(BlobClient blob, KeyRef ref) {
        try {
            return blob.getPropertiesWithResponse(null, callTimeout, Context.NONE).getValue();
        } catch (BlobStorageException e) {
            throw translate(e, ref);
        }
    }

    @Override
    public OpenBundle open(KeyRef ref) {
        return breaker.call("opening key bundle", () -> {
            BlobClient blob = blob(ref);
            // Check the size first so an oversized blob is refused before any of it is read, then stream exactly
            // that version (If-Match) so bytes and ETag belong together.
            BlobProperties props = properties(blob, ref);
            if (props.getBlobSize() > maxBundleBytes) {
                throw new InvalidKeyBundleException("key bundle '" + ref + "' is " + props.getBlobSize()
                    + " bytes, above the limit of " + maxBundleBytes);
            }
            try {
                var stream = blob.openInputStream(new BlobInputStreamOptions().setBlockSize((int) Math.max(1, Math.min(STREAM_BLOCK_BYTES, props.getBlobSize())))
                    .setRequestConditions(new BlobRequestConditions().setIfMatch(props.getETag())));
                return new OpenBundle(stream, props.getBlobSize(), props.getETag());
            } catch (BlobStorageException e) {
                throw translate(e, ref);
            }
        });
    }

    @Override
    public String etag(KeyRef ref) {
        return breaker.call("checking key bundle", () -> properties(blob(ref), ref).getETag());
    }

    @Override
    public String upload(KeyRef ref, byte[] bundle) {
        return breaker.call("uploading key bundle", () -> {
            var container = service.getBlobContainerClient(ref.container());
            try {
                container.createIfNotExists();
                return container.getBlobClient(ref.keyId())
                    .uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(bundle)), null, null)
                    .getValue().getETag();
            } catch (BlobStorageException e) {
                throw translate(e, ref);
            }
        });
    }

    private static RuntimeException translate(BlobStorageException e, KeyRef ref) {
        if (e.getStatusCode() == 404 || BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())
            || BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
            return new KeyBundleNotFoundException(ref);
        }
        if (e.getStatusCode() == 412) {
            // replaced between the size check and the first read: a retry reads the new version
            return new KeyLoadUnavailableException("key bundle " + ref + " was replaced while being read; retry", 1);
        }
        return new IllegalStateException("blob storage answered " + e.getStatusCode() + " (" + e.getErrorCode()
            + ") for key bundle " + ref);
    }
}
