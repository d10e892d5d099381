package dev.veil.functions.encrypted;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.keys.KeyCache;
import dev.veil.functions.keys.KeyInvalidations;
import dev.veil.functions.keys.KeyLoading;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.spi.HostScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutorService;

/**
 * What the encrypted functions of one host share, built from that host's app settings on first use:
 * one key cache for all of them (a bundle is downloaded once even when several functions use it),
 * registered with the host's meters, cluster broadcasts and {@code /admin/cluster} report.
 */
public final class EncryptedFunctions implements AutoCloseable {
  private static final String REPORT = "keyCache";

  private final HostScope scope;
  private final KeyStoreSettings settings;
  private final KeyLoading loading;
  private final KeyCache<SealKeys> keys;
  private final SealKeysDecoder uploadDecoder;
  private final EncryptedInference mnist;
  private final EncryptedInference breastCancer;

  private EncryptedFunctions(HostScope scope) {
    this.scope = scope;
    this.settings = KeyStoreSettings.from(name -> scope.settings().get(name).orElse(null));
    this.loading = KeyLoading.from(settings);
    this.keys =
        new KeyCache<>(
            new SealKeysDecoder(settings.maxGaloisKeys(), settings.loadMaxBytes()),
            settings.cacheMaxBytes(),
            settings.cacheExpireAfterAccess(),
            loading,
            scope.meterRegistry(),
            "veil.keys");
    // uploads are decoded for validation only; the serving path keeps its own decoded copy in the
    // cache
    this.uploadDecoder = new SealKeysDecoder(settings.maxGaloisKeys(), settings.loadMaxBytes());
    KeyInvalidations.connect(keys, scope.broadcasts()); // replaced bundles leave every node's cache
    // this node's entry in /admin/cluster shows what its key cache holds
    scope
        .nodeReports()
        .register(
            REPORT,
            () ->
                Future.succeededFuture(
                    new JsonObject()
                        .put("keys", new JsonArray(keys.cachedRefs()))
                        .put("bytes", keys.weightedBytes())
                        .put("boundBytes", keys.maxBytes())));
    this.mnist =
        new EncryptedInference(
            EncryptedFunctionSpec.mnist(MnistLinearModel.bundled()),
            settings,
            settings.defaultStore(),
            keys);
    this.breastCancer =
        new EncryptedInference(
            EncryptedFunctionSpec.breastCancer(BreastCancerModel.bundled()),
            settings,
            settings.defaultStore(),
            keys);
  }

  /** The host's (made on first use). */
  public static EncryptedFunctions of(HostScope scope) {
    return scope.shared(EncryptedFunctions.class, EncryptedFunctions::new);
  }

  public EncryptedInference mnist() {
    return mnist;
  }

  public EncryptedInference breastCancer() {
    return breastCancer;
  }

  public KeyCache<SealKeys> keyCache() {
    return keys;
  }

  SealKeysDecoder uploadDecoder() {
    return uploadDecoder;
  }

  /** Drops the cached keys and stops the loader threads (the host is closing). */
  @Override
  public void close() {
    scope.nodeReports().unregister(REPORT);
    keys.invalidateAll();
    if (loading.loaders() instanceof ExecutorService pool) pool.shutdownNow();
    if (loading.revalidators() instanceof ExecutorService pool) pool.shutdownNow();
  }
}
