package dev.veil.functions.keys;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * How the encrypted functions find and cache key bundles, read from app settings.
 *
 * <ul>
 *   <li>{@value #CONNECTION}: like an Azure Functions binding's {@code connection} property, this
 *       app setting holds the storage connection string. Unset: the local directory {@value #DIR}
 *       (default {@code .veil/keys}) acts as the blob service, one sub-directory per container.
 *   <li>{@value #ALLOW_BODY_CONN_STR} (default false): whether a request may name its own storage
 *       account with {@code conn_str}. Off by default because a connection string carries the
 *       account key: it would travel in request bodies (and whatever logs or proxies see them), and
 *       it would let any caller make this host connect to an arbitrary endpoint of the caller's
 *       choosing (server-side request forgery). Enable only for trusted callers that cannot share a
 *       key container with the host.
 *   <li>{@value #CACHE_MAX_BYTES}, {@value #CACHE_EXPIRE_SECONDS}, {@value #MAX_BUNDLE_BYTES}:
 *       cache bound, idle expiry, and the largest bundle accepted.
 *   <li>{@value #MAX_GALOIS_KEYS}, {@value #LOAD_MAX_BYTES}, {@value #LOAD_BUDGET_BYTES}: the
 *       expected size of a bundle's keys follows from its parameters and at most that many Galois
 *       keys, capped per load; all loads together may reserve the budget.
 *   <li>{@value #LOADER_THREADS}, {@value #LOAD_QUEUE}, {@value #LOADS_PER_CONTAINER}: the loader
 *       pool; {@value #WAITING_REQUESTS}: requests that may wait for loads at once (each holds a
 *       worker thread).
 *   <li>{@value #REVALIDATE_SECONDS}, {@value #FAILED_LOAD_TTL_SECONDS}: how often a cached
 *       bundle's ETag is checked (in the background) and how long an invalid bundle's error is
 *       remembered.
 *   <li>{@value #STORAGE_TIMEOUT_MS}, {@value #BREAKER_FAILURES}, {@value #BREAKER_OPEN_SECONDS}:
 *       the storage client's connect/response timeout and its circuit breaker.
 * </ul>
 */
public record KeyStoreSettings(
    String connectionString,
    Path directory,
    boolean allowBodyConnectionString,
    long cacheMaxBytes,
    Duration cacheExpireAfterAccess,
    long maxBundleBytes,
    int maxGaloisKeys,
    long loadMaxBytes,
    long loadBudgetBytes,
    int loaderThreads,
    int loadQueue,
    int loadsPerContainer,
    int waitingRequests,
    Duration revalidateAfter,
    Duration failedLoadTtl,
    Duration storageTimeout,
    int breakerFailures,
    Duration breakerOpen) {

  public static final String CONNECTION = "VeilKeyStorage";
  public static final String DIR = "VEIL_KEYS_DIR";
  public static final String ALLOW_BODY_CONN_STR = "VEIL_KEYS_ALLOW_BODY_CONN_STR";
  public static final String CACHE_MAX_BYTES = "VEIL_KEYS_CACHE_MAX_BYTES";
  public static final String CACHE_EXPIRE_SECONDS = "VEIL_KEYS_CACHE_EXPIRE_SECONDS";
  public static final String MAX_BUNDLE_BYTES = "VEIL_KEYS_MAX_BUNDLE_BYTES";
  public static final String MAX_GALOIS_KEYS = "VEIL_KEYS_MAX_GALOIS_KEYS";
  public static final String LOAD_MAX_BYTES = "VEIL_KEYS_LOAD_MAX_BYTES";
  public static final String LOAD_BUDGET_BYTES = "VEIL_KEYS_LOAD_BUDGET_BYTES";
  public static final String LOADER_THREADS = "VEIL_KEYS_LOADER_THREADS";
  public static final String LOAD_QUEUE = "VEIL_KEYS_LOAD_QUEUE";
  public static final String LOADS_PER_CONTAINER = "VEIL_KEYS_LOADS_PER_CONTAINER";
  public static final String WAITING_REQUESTS = "VEIL_KEYS_WAITING_REQUESTS";
  public static final String REVALIDATE_SECONDS = "VEIL_KEYS_REVALIDATE_SECONDS";
  public static final String FAILED_LOAD_TTL_SECONDS = "VEIL_KEYS_FAILED_LOAD_TTL_SECONDS";
  public static final String STORAGE_TIMEOUT_MS = "VEIL_KEYS_STORAGE_TIMEOUT_MS";
  public static final String BREAKER_FAILURES = "VEIL_KEYS_BREAKER_FAILURES";
  public static final String BREAKER_OPEN_SECONDS = "VEIL_KEYS_BREAKER_OPEN_SECONDS";

  /** Reads each setting through {@code lookup} (null when unset). */
  public static KeyStoreSettings from(UnaryOperator<String> lookup) {
    String conn = lookup.apply(CONNECTION);
    String dir = lookup.apply(DIR);
    return new KeyStoreSettings(
        conn == null || conn.isBlank() ? null : conn,
        Path.of(dir == null || dir.isBlank() ? ".veil/keys" : dir),
        Boolean.parseBoolean(lookup.apply(ALLOW_BODY_CONN_STR)),
        longSetting(lookup, CACHE_MAX_BYTES, 512L << 20),
        Duration.ofSeconds(longSetting(lookup, CACHE_EXPIRE_SECONDS, 1800)),
        longSetting(lookup, MAX_BUNDLE_BYTES, 256L << 20),
        (int) longSetting(lookup, MAX_GALOIS_KEYS, 64),
        longSetting(lookup, LOAD_MAX_BYTES, 1L << 30),
        longSetting(lookup, LOAD_BUDGET_BYTES, 2L << 30),
        // at most half the cores: decoding must leave CPU to the requests that use cached keys
        (int)
            longSetting(
                lookup,
                LOADER_THREADS,
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2))),
        (int) longSetting(lookup, LOAD_QUEUE, 32),
        (int) longSetting(lookup, LOADS_PER_CONTAINER, 2),
        (int) longSetting(lookup, WAITING_REQUESTS, 2),
        Duration.ofSeconds(longSetting(lookup, REVALIDATE_SECONDS, 30)),
        Duration.ofSeconds(longSetting(lookup, FAILED_LOAD_TTL_SECONDS, 30)),
        Duration.ofMillis(longSetting(lookup, STORAGE_TIMEOUT_MS, 1500)),
        (int) longSetting(lookup, BREAKER_FAILURES, 3),
        Duration.ofSeconds(longSetting(lookup, BREAKER_OPEN_SECONDS, 10)));
  }

  public KeyStore defaultStore() {
    return connectionString != null
        ? BlobKeyStore.fromConnectionString(
            connectionString,
            maxBundleBytes,
            storageTimeout,
            new StorageBreaker(breakerFailures, breakerOpen))
        : BlobKeyStore.inFolder(directory, maxBundleBytes);
  }

  /** The store for a request's {@code conn_str}, refused unless enabled (see the class comment). */
  public KeyStore storeForRequest(String requestConnectionString) {
    if (!allowBodyConnectionString) {
      throw new InvalidKeyRefException(
          "conn_str is not accepted by this host ("
              + ALLOW_BODY_CONN_STR
              + " is off); upload the key bundle to the host's configured key storage instead");
    }
    return BlobKeyStore.fromConnectionString(
        requestConnectionString,
        maxBundleBytes,
        storageTimeout,
        new StorageBreaker(breakerFailures, breakerOpen));
  }

  private static long longSetting(UnaryOperator<String> lookup, String name, long fallback) {
    String v = lookup.apply(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "app setting " + name + " must be an integer, got '" + v + "'");
    }
  }
}
