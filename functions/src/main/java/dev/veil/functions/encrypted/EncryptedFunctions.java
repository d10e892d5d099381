package dev.veil.functions.encrypted;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.keys.KeyCache;
import dev.veil.functions.keys.KeyInvalidations;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.spi.ClusterBroadcasts;
import dev.veil.runtime.spi.NodeReports;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide pieces the encrypted functions share, built once from app settings on first use:
 * one key cache for all of them (a bundle is downloaded once even when several functions use it).
 */
public final class EncryptedFunctions {

    private static final class Shared {
        static final KeyStoreSettings SETTINGS = KeyStoreSettings.fromEnvironment();
        static final KeyCache<SealKeys> KEYS = new KeyCache<>(new SealKeysDecoder(SETTINGS.maxBundleBytes()),
            SETTINGS.cacheMaxBytes(), SETTINGS.cacheExpireAfterAccess(), keyLoaders(), Metrics.globalRegistry,
            "veil.keys");
        static {
            KeyInvalidations.connect(KEYS, ClusterBroadcasts.process()); // replaced bundles leave every node's cache
            // this node's entry in /admin/cluster shows what its key cache holds
            NodeReports.register("keyCache", () -> Future.succeededFuture(new JsonObject()
                .put("keys", new JsonArray(KEYS.cachedRefs())).put("bytes", KEYS.weightedBytes())));
        }
        static final EncryptedInference MNIST = new EncryptedInference(
            EncryptedFunctionSpec.mnist(MnistLinearModel.bundled()), SETTINGS, SETTINGS.defaultStore(), KEYS);
        static final EncryptedInference BREAST_CANCER = new EncryptedInference(
            EncryptedFunctionSpec.breastCancer(BreastCancerModel.bundled()), SETTINGS, SETTINGS.defaultStore(), KEYS);
    }

    private EncryptedFunctions() {
    }

    public static EncryptedInference mnist() {
        return Shared.MNIST;
    }

    public static EncryptedInference breastCancer() {
        return Shared.BREAST_CANCER;
    }

    public static KeyCache<SealKeys> keyCache() {
        return Shared.KEYS;
    }

    /** Key downloads and ETag checks block on storage I/O: a small daemon pool of their own. */
    private static ExecutorService keyLoaders() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "veil-key-loader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
