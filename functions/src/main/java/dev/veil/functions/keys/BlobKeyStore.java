package dev.veil.functions.keys;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DownloadRetryOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;

/** Key bundles in Azure Blob Storage (or Azurite), through the Azure Storage Blob SDK. */
public final class BlobKeyStore implements KeyStore {

    private final BlobServiceClient service;
    private final long maxBundleBytes;

    public BlobKeyStore(BlobServiceClient service, long maxBundleBytes) {
        this.service = service;
        this.maxBundleBytes = maxBundleBytes;
    }

    /** From a storage connection string (the value of the configured connection setting). */
    public static BlobKeyStore fromConnectionString(String connectionString, long maxBundleBytes) {
        BlobServiceClient client;
        try {
            client = new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
        } catch (IllegalArgumentException e) {
            // The SDK's message may quote the string; never echo an account key back.
            throw new IllegalArgumentException("the storage connection string is malformed");
        }
        return new BlobKeyStore(client, maxBundleBytes);
    }

    @Override
    public String id() {
        return "blob:" + service.getAccountUrl();
    }

    private BlobClient blob(KeyRef ref) {
        return service.getBlobContainerClient(ref.container()).getBlobClient(ref.keyId());
    }

    @Override
    public StoredBundle download(KeyRef ref) {
        BlobClient blob = blob(ref);
        for (int attempt = 1; ; attempt++) {
            try {
                // Check the size first so an oversized blob is refused before it is pulled into memory,
                // then download exactly that version (If-Match) so bytes and ETag belong together.
                BlobProperties props = blob.getProperties();
                if (props.getBlobSize() > maxBundleBytes) {
                    throw new InvalidKeyBundleException("key bundle '" + ref + "' is " + props.getBlobSize()
                        + " bytes, above the limit of " + maxBundleBytes);
                }
                BlobDownloadContentResponse response = blob.downloadContentWithResponse(
                    new DownloadRetryOptions(), new BlobRequestConditions().setIfMatch(props.getETag()), null, null);
                return new StoredBundle(response.getValue().toBytes(), response.getDeserializedHeaders().getETag());
            } catch (BlobStorageException e) {
                // 412: replaced between the size check and the download; read the new version.
                if (e.getStatusCode() != 412 || attempt == 3) {
                    throw translate(e, ref);
                }
            }
        }
    }

    @Override
    public String etag(KeyRef ref) {
        try {
            return blob(ref).getProperties().getETag();
        } catch (BlobStorageException e) {
            throw translate(e, ref);
        }
    }

    @Override
    public String upload(KeyRef ref, byte[] bundle) {
        var container = service.getBlobContainerClient(ref.container());
        try {
            container.createIfNotExists();
            return container.getBlobClient(ref.keyId())
                .uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromBytes(bundle)), null, null)
                .getValue().getETag();
        } catch (BlobStorageException e) {
            throw translate(e, ref);
        }
    }

    private static RuntimeException translate(BlobStorageException e, KeyRef ref) {
        if (e.getStatusCode() == 404 || BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())
            || BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())) {
            return new KeyBundleNotFoundException(ref);
        }
        return new IllegalStateException("blob storage answered " + e.getStatusCode() + " (" + e.getErrorCode()
            + ") for key bundle " + ref);
    }
}
