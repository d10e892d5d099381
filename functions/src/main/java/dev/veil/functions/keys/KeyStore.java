package dev.veil.functions.keys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Where key bundles are stored. Calls block on I/O: callers run them off the event loop (the key
 * cache does so on its own executor).
 */
public interface KeyStore {

  /**
   * Stable identity of the backing storage (account endpoint or directory), part of the cache key.
   */
  String id();

  /**
   * Opens the bundle for reading, after checking its stored size against the store's bundle limit.
   * The stream yields the version the ETag names; reading it may block on storage. Close it when
   * done.
   */
  OpenBundle open(KeyRef ref);

  /**
   * The bundle's bytes with the ETag they had when read (the whole bundle in memory; see {@link
   * #open}).
   */
  default StoredBundle download(KeyRef ref) {
    try (OpenBundle open = open(ref)) {
      byte[] bytes = open.stream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, open.size()));
      return new StoredBundle(bytes, open.etag());
    } catch (IOException e) {
      throw new UncheckedIOException("reading key bundle " + ref, e);
    }
  }

  /** The current ETag of the bundle, without downloading it. */
  String etag(KeyRef ref);

  /** Stores (or replaces) a bundle, creating the container when needed; returns the new ETag. */
  String upload(KeyRef ref, byte[] bundle);

  /** Raw bundle bytes as stored, tagged with the version they belong to. */
  record StoredBundle(byte[] bytes, String etag) {}

  /**
   * A bundle opened for streaming: its stored size and ETag, and a stream over exactly that
   * version.
   */
  record OpenBundle(InputStream stream, long size, String etag) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      stream.close();
    }
  }
}
