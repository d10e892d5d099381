package dev.veil.storage;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobAcquireLeaseOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.blob.options.BlobReleaseLeaseOptions;
import com.azure.storage.blob.options.BlobRenewLeaseOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Azure Blob Storage (or Azurite) through the Azure Storage Blob SDK, on the JDK's HTTP client with
 * threads of its own (stopped by {@link #close}).
 */
public final class AzureBlobStore implements BlobStore {

  /**
   * How calls behave: {@code timeout} to connect and for a response (a streamed body may pause four
   * times that between chunks), {@code tries} per request (1: no retries, the caller decides),
   * {@code blockBytes} per request when streaming or uploading a blob (a blob up to that size goes
   * in one request).
   */
  public record Options(Duration timeout, int tries, int blockBytes) {
    public static final Options DEFAULT = new Options(Duration.ofSeconds(30), 4, 4 << 20);
  }

  /**
   * Uploads are given time to send a block at no less than this rate, on top of the response
   * timeout.
   */
  private static final long MIN_UPLOAD_BYTES_PER_SECOND = 1 << 20;

  private final BlobServiceClient service;
  private final BlobServiceClient uploads;
  private final ExecutorService httpThreads;
  private final int blockBytes;
  private final Set<String> knownContainers = ConcurrentHashMap.newKeySet();

  private AzureBlobStore(
      BlobServiceClient service,
      BlobServiceClient uploads,
      ExecutorService httpThreads,
      int blockBytes) {
    this.service = service;
    this.uploads = uploads;
    this.httpThreads = httpThreads;
    this.blockBytes = blockBytes;
  }

  /** A store for a storage connection string (the value of a {@code connection} app setting). */
  public static AzureBlobStore connect(String connectionString, Options options) {
    ExecutorService threads = daemonPool();
    try {
      // On the JDK's client the response timeout runs from the start of the request, body included:
      // uploads get
      // a client of their own whose timeout leaves time to send a block.
      Duration upload =
          options
              .timeout()
              .plusMillis(1000L * Math.max(1, options.blockBytes()) / MIN_UPLOAD_BYTES_PER_SECOND);
      return new AzureBlobStore(
          client(connectionString, options, options.timeout(), threads),
          client(connectionString, options, upload, threads),
          threads,
          options.blockBytes());
    } catch (IllegalArgumentException | NullPointerException e) {
      threads.shutdown();
      // The SDK's message may quote the string; never echo an account key back.
      throw new IllegalArgumentException("the storage connection string is malformed");
    }
  }

  private static BlobServiceClient client(
      String connectionString, Options options, Duration responseTimeout, ExecutorService threads) {
    return new BlobServiceClientBuilder()
        .connectionString(connectionString)
        .httpClient(
            new JdkHttpClientBuilder()
                .executor(threads)
                .connectionTimeout(options.timeout())
                .responseTimeout(responseTimeout)
                .readTimeout(options.timeout().multipliedBy(4))
                .build())
        .retryOptions(
            new RequestRetryOptions(
                RetryPolicyType.EXPONENTIAL,
                Math.max(1, options.tries()),
                (Integer) null,
                null,
                null,
                null))
        .buildClient();
  }

  private static ExecutorService daemonPool() {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        30,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "veil-blob-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private BlobClient blob(String container, String name) {
    return service.getBlobContainerClient(container).getBlobClient(name);
  }

  @Override
  public Page list(String container, String prefix, String continuation, int pageSize) {
    int size = Math.max(1, Math.min(MAX_PAGE_SIZE, pageSize));
    return call(
        container,
        "",
        () -> {
          try {
            Iterator<PagedResponse<BlobItem>> pages =
                service
                    .getBlobContainerClient(container)
                    .listBlobs(
                        new ListBlobsOptions()
                            .setPrefix(prefix == null || prefix.isEmpty() ? null : prefix)
                            .setMaxResultsPerPage(size),
                        continuation,
                        null)
                    .iterableByPage(continuation, size)
                    .iterator();
            if (!pages.hasNext()) {
              return new Page(List.of(), null);
            }
            PagedResponse<BlobItem> page = pages.next();
            List<BlobInfo> items = new ArrayList<>(page.getValue().size());
            for (BlobItem b : page.getValue()) {
              items.add(
                  new BlobInfo(
                      b.getName(),
                      b.getProperties().getETag(),
                      b.getProperties().getContentLength()));
            }
            String next = page.getContinuationToken();
            return new Page(items, next == null || next.isEmpty() ? null : next);
          } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
              return new Page(List.of(), null); // no container: nothing in it
            }
            throw e;
          }
        });
  }

  @Override
  public BlobInfo properties(String container, String name) {
    return call(
        container,
        name,
        () -> {
          BlobProperties p =
              blob(container, name).getPropertiesWithResponse(null, null, Context.NONE).getValue();
          return new BlobInfo(name, p.getETag(), p.getBlobSize());
        });
  }

  @Override
  public OpenBlob open(String container, String name, Conditions conditions) {
    return call(
        container,
        name,
        () -> {
          // The SDK pins the stream to the ETag of its first block, so a replaced blob fails the
          // read, never mixes.
          BlobInputStream stream =
              blob(container, name)
                  .openInputStream(
                      new BlobInputStreamOptions()
                          .setBlockSize(blockBytes)
                          .setRequestConditions(azure(conditions)));
          BlobProperties p = stream.getProperties();
          return new OpenBlob(stream, new BlobInfo(name, p.getETag(), p.getBlobSize()));
        });
  }

  @Override
  public String write(String container, String name, byte[] content, Conditions conditions) {
    return call(
        container,
        name,
        () -> {
          BlobContainerClient client = uploads.getBlobContainerClient(container);
          // Known only once created: a writer racing the creating one must not upload into a
          // container not there yet.
          if (!knownContainers.contains(container)) {
            client.createIfNotExists();
            knownContainers.add(container);
          }
          try {
            return upload(client, name, content, conditions);
          } catch (BlobStorageException e) {
            if (e.getErrorCode() != BlobErrorCode.CONTAINER_NOT_FOUND) throw e;
            client.createIfNotExists(); // deleted since this store created it
            return upload(client, name, content, conditions);
          }
        });
  }

  private String upload(
      BlobContainerClient client, String name, byte[] content, Conditions conditions) {
    // In blocks of blockBytes: on the JDK client the response timeout also covers sending the
    // request body, so
    // no single request may carry more than a block.
    long block = Math.max(1, blockBytes);
    return client
        .getBlobClient(name)
        .uploadWithResponse(
            new BlobParallelUploadOptions(BinaryData.fromBytes(content))
                .setParallelTransferOptions(
                    new ParallelTransferOptions()
                        .setBlockSizeLong(block)
                        .setMaxSingleUploadSizeLong(block))
                .setRequestConditions(azure(conditions)),
            null,
            Context.NONE)
        .getValue()
        .getETag();
  }

  @Override
  public boolean delete(String container, String name, Conditions conditions) {
    return call(
        container,
        name,
        () -> {
          try {
            blob(container, name).deleteWithResponse(null, azure(conditions), null, Context.NONE);
            return true;
          } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) return false;
            throw e;
          }
        });
  }

  @Override
  public Optional<String> acquireLease(String container, String name, Duration duration) {
    int seconds = BlobStore.leaseSeconds(duration);
    return call(
        container,
        name,
        () -> {
          try {
            return Optional.of(
                leaseClient(container, name, null)
                    .acquireLeaseWithResponse(
                        new BlobAcquireLeaseOptions(seconds), null, Context.NONE)
                    .getValue());
          } catch (BlobStorageException e) {
            if (BlobErrorCode.LEASE_ALREADY_PRESENT.equals(e.getErrorCode()))
              return Optional.empty();
            throw e;
          }
        });
  }

  @Override
  public void renewLease(String container, String name, String leaseId) {
    call(
        container,
        name,
        () ->
            leaseClient(container, name, leaseId)
                .renewLeaseWithResponse(new BlobRenewLeaseOptions(), null, Context.NONE));
  }

  @Override
  public void releaseLease(String container, String name, String leaseId) {
    call(
        container,
        name,
        () ->
            leaseClient(container, name, leaseId)
                .releaseLeaseWithResponse(new BlobReleaseLeaseOptions(), null, Context.NONE));
  }

  private BlobLeaseClient leaseClient(String container, String name, String leaseId) {
    BlobLeaseClientBuilder builder = new BlobLeaseClientBuilder().blobClient(blob(container, name));
    return (leaseId == null ? builder : builder.leaseId(leaseId)).buildClient();
  }

  @Override
  public String describe() {
    return "Azure Blob Storage " + service.getAccountUrl();
  }

  @Override
  public void close() {
    httpThreads.shutdown();
  }

  private static BlobRequestConditions azure(Conditions c) {
    return new BlobRequestConditions()
        .setIfMatch(c.ifMatch())
        .setIfNoneMatch(c.ifNoneMatch())
        .setLeaseId(c.leaseId());
  }

  /** Runs one SDK call and turns its failures into this module's exceptions. */
  private <T> T call(String container, String name, Supplier<T> call) {
    if (httpThreads.isShutdown()) {
      throw new IllegalStateException(describe() + " is closed");
    }
    String what = name.isEmpty() ? "container " + container : "blob " + container + "/" + name;
    try {
      return call.get();
    } catch (BlobStorageException e) {
      throw translate(e, container, name, what);
    } catch (IllegalArgumentException e) {
      throw e; // a name or an option the SDK rejects before sending
    } catch (RuntimeException e) {
      // Timeouts and I/O failures arrive wrapped in many ways; only the root's class is named,
      // since the SDK's
      // messages may quote signed URLs.
      throw new StorageUnavailableException(
          describe() + " did not answer for " + what + " (" + root(e) + ")", e);
    }
  }

  private RuntimeException translate(
      BlobStorageException e, String container, String name, String what) {
    int status = e.getStatusCode();
    String code = e.getErrorCode() == null ? "" : e.getErrorCode().toString();
    String answered =
        describe() + " answered " + status + (code.isEmpty() ? "" : " " + code) + " for " + what;
    if (status == 404) {
      return new BlobNotFoundException(container, name);
    }
    if (status == 304 || BlobErrorCode.CONDITION_NOT_MET.toString().equals(code)) {
      return new BlobConflictException(BlobConflictException.Reason.ETAG_MISMATCH, answered, e);
    }
    if (code.startsWith("Lease")) {
      return new BlobConflictException(BlobConflictException.Reason.LEASE, answered, e);
    }
    if (BlobErrorCode.BLOB_ALREADY_EXISTS.toString().equals(code)) {
      return new BlobConflictException(BlobConflictException.Reason.ALREADY_EXISTS, answered, e);
    }
    if (status == 400) {
      return new IllegalArgumentException(answered, e);
    }
    return new StorageUnavailableException(answered, e);
  }

  private static String root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName();
  }
}
