package dev.veil.storage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A blob service: Azure Blob Storage (or Azurite) through {@link AzureBlobStore}, or a local folder
 * through {@link LocalBlobStore}, with the same semantics: containers of named blobs, listing by
 * prefix in pages, an ETag per blob version, conditional reads and writes, and leases.
 *
 * <p>Calls block on I/O: run them on a worker thread, never on an event loop. Failures are {@link
 * BlobNotFoundException} (no such blob or container), {@link BlobConflictException} (a condition or
 * a lease stands in the way), {@link StorageUnavailableException} (the storage did not answer, or
 * refused access), and {@link IllegalArgumentException} for names the storage does not accept.
 *
 * <p>A store belongs to whoever created it (a host's trigger, a key store) and is closed by it.
 */
public interface BlobStore extends AutoCloseable {

  /** Listing pages hold at most this many blobs unless asked for fewer. */
  int MAX_PAGE_SIZE = 5000;

  /**
   * Shortest and longest lease, as in Azure Blob Storage (which also has infinite leases; not
   * offered here).
   */
  Duration MIN_LEASE = Duration.ofSeconds(15);

  Duration MAX_LEASE = Duration.ofSeconds(60);

  /**
   * One blob version: its name, its ETag (changes whenever the content does) and its size in bytes.
   */
  record BlobInfo(String name, String etag, long size) {}

  /**
   * A page of a listing, in name order, and the token for the next page ({@code null} after the
   * last).
   */
  record Page(List<BlobInfo> items, String continuation) {}

  /** A blob opened for reading: the stream yields exactly the version {@code info} describes. */
  record OpenBlob(InputStream stream, BlobInfo info) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  /**
   * Preconditions of a call, as HTTP's and Azure's: {@code ifMatch} (the blob's current ETag must
   * be this one), {@code ifNoneMatch} (must not be; {@code "*"}: the blob must not exist), {@code
   * leaseId} (a write to a leased blob must name its lease). A null part is no condition.
   */
  record Conditions(String ifMatch, String ifNoneMatch, String leaseId) {
    public static final Conditions NONE = new Conditions(null, null, null);

    public static Conditions ifMatch(String etag) {
      return new Conditions(etag, null, null);
    }

    public static Conditions ifNoneMatch(String etag) {
      return new Conditions(null, etag, null);
    }

    /** Create only: fails with a conflict when the blob exists. */
    public static Conditions ifNotExists() {
      return ifNoneMatch("*");
    }

    public static Conditions lease(String leaseId) {
      return new Conditions(null, null, leaseId);
    }

    public Conditions withLease(String id) {
      return new Conditions(ifMatch, ifNoneMatch, id);
    }
  }

  /**
   * One page of the blobs in {@code container} whose names start with {@code prefix}, in name
   * order, at most {@code pageSize} (capped at {@link #MAX_PAGE_SIZE}); pass the previous page's
   * continuation for the next. A container that does not exist lists empty.
   */
  Page list(String container, String prefix, String continuation, int pageSize);

  default Page list(String container, String prefix, String continuation) {
    return list(container, prefix, continuation, MAX_PAGE_SIZE);
  }

  /** The current version's ETag and size. */
  BlobInfo properties(String container, String name);

  /**
   * Opens the current version for streaming, if it meets {@code conditions} (ETags only). Close it
   * when done.
   */
  OpenBlob open(String container, String name, Conditions conditions);

  default OpenBlob open(String container, String name) {
    return open(container, name, Conditions.NONE);
  }

  /** The whole content of the current version. */
  default byte[] read(String container, String name) {
    try (OpenBlob blob = open(container, name)) {
      return blob.stream().readAllBytes();
    } catch (IOException e) {
      throw new StorageUnavailableException(
          "reading blob " + container + "/" + name + " failed: " + e, e);
    }
  }

  /**
   * Creates or replaces a blob, creating its container when needed, if the conditions hold; the new
   * version lands whole (a reader sees the old or the new content). Returns the new ETag.
   */
  String write(String container, String name, byte[] content, Conditions conditions);

  default String write(String container, String name, byte[] content) {
    return write(container, name, content, Conditions.NONE);
  }

  /** Deletes a blob (and its lease) if the conditions hold; false if there was none. */
  boolean delete(String container, String name, Conditions conditions);

  /**
   * Takes the blob's lease for {@code duration} ({@link #MIN_LEASE} to {@link #MAX_LEASE}) and
   * returns its id, or empty while someone else holds it. Until it expires or is released, writes
   * and deletes must name it. The blob must exist.
   */
  Optional<String> acquireLease(String container, String name, Duration duration);

  /**
   * Extends the lease by the duration it was taken for. Succeeds after expiry too, as long as
   * nobody took the lease since; otherwise a {@link BlobConflictException} (the lease is lost).
   */
  void renewLease(String container, String name, String leaseId);

  /** Gives the lease up; a {@link BlobConflictException} if it is not (or no longer) this one. */
  void releaseLease(String container, String name, String leaseId);

  /**
   * Where the blobs are, for logs and as an identity: "Azure Blob Storage http://..." or "local
   * folder /...".
   */
  String describe();

  /** Releases the store's connections and threads; calls after this fail. */
  @Override
  void close();

  /**
   * Rejects lease durations Azure does not accept, with the same bounds in every implementation.
   */
  static int leaseSeconds(Duration duration) {
    if (duration.compareTo(MIN_LEASE) < 0
        || duration.compareTo(MAX_LEASE) > 0
        || duration.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException(
          "a blob lease lasts 15 to 60 whole seconds, not " + duration);
    }
    return (int) duration.toSeconds();
  }
}
