package dev.veil.triggers.blob;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Azure Blob Storage (or Azurite) through the Azure Storage Blob SDK, on the JDK's HTTP client. */
final class AzureBlobStore implements BlobStore {
  private static final int PAGE_SIZE = 5000;

  private final BlobServiceClient service;
  private final Set<String> knownContainers = ConcurrentHashMap.newKeySet();

  AzureBlobStore(String connectionString) {
    this.service = new BlobServiceClientBuilder()
        .connectionString(connectionString)
        .httpClient(new JdkHttpClientBuilder().build())
        .buildClient();
  }

  @Override
  public Page list(String container, String prefix, String continuation) {
    BlobContainerClient client = service.getBlobContainerClient(container);
    try {
      Iterator<PagedResponse<BlobItem>> pages = client
          .listBlobs(new ListBlobsOptions().setPrefix(prefix.isEmpty() ? null : prefix)
              .setMaxResultsPerPage(PAGE_SIZE), continuation, null)
          .iterableByPage(continuation, PAGE_SIZE).iterator();
      if (!pages.hasNext()) {
        return new Page(List.of(), null);
      }
      PagedResponse<BlobItem> page = pages.next();
      List<Item> items = new ArrayList<>(page.getValue().size());
      for (BlobItem b : page.getValue()) {
        items.add(new Item(b.getName(), b.getProperties().getETag(), b.getProperties().getContentLength()));
      }
      String next = page.getContinuationToken();
      return new Page(items, next == null || next.isEmpty() ? null : next);
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return new Page(List.of(), null);
      }
      throw e;
    }
  }

  @Override
  public InputStream open(String container, String name) {
    try {
      return service.getBlobContainerClient(container).getBlobClient(name).openInputStream();
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public void write(String container, String name, byte[] content) {
    BlobContainerClient client = service.getBlobContainerClient(container);
    // Known only once created: a writer racing the creating one must not upload into a container not there yet.
    if (!knownContainers.contains(container)) {
      client.createIfNotExists();
      knownContainers.add(container);
    }
    try {
      client.getBlobClient(name).upload(BinaryData.fromBytes(content), true);
    } catch (BlobStorageException e) {
      if (e.getErrorCode() != BlobErrorCode.CONTAINER_NOT_FOUND) throw e;
      client.createIfNotExists(); // deleted since this store created it
      client.getBlobClient(name).upload(BinaryData.fromBytes(content), true);
    }
  }

  @Override
  public String describe() {
    return "Azure Blob Storage " + service.getAccountUrl();
  }
}
