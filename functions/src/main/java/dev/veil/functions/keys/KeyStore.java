package dev.veil.functions.keys;

/**
 * Where key bundles are stored. Calls block on I/O: callers run them off the event loop (the key cache
 * does so on its own executor).
 */
public interface KeyStore {

    /** Stable identity of the backing storage (account endpoint or directory), part of the cache key. */
    String id();

    /** The bundle's bytes with the ETag they had when read. */
    StoredBundle download(KeyRef ref);

    /** The current ETag of the bundle, without downloading it. */
    String etag(KeyRef ref);

    /** Stores (or replaces) a bundle, creating the container when needed; returns the new ETag. */
    String upload(KeyRef ref, byte[] bundle);

    /** Raw bundle bytes as stored, tagged with the version they belong to. */
    record StoredBundle(byte[] bytes, String etag) {
    }
}
