package dev.veil.functions.encrypted;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.keys.KeyCache;
import dev.veil.functions.keys.KeyInvalidations;
import dev.veil.functions.keys.KeyLoading;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.spi.ClusterBroadcasts;
import dev.veil.runtime.spi.NodeReports;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The process-wide pieces the encrypted functions share, built once from app settings on first use:
 * one key cache for all of them (a bundle is downloaded once even when several functions use it).
 */
public final class EncryptedFunctions {

    private static final class Shared {
        static final KeyStoreSettings SETTINGS = KeyStoreSettings.fromEnvironment();
        static final KeyCache<SealKeys> KEYS = new KeyCache<>(
            new SealKeysDecoder(SETTINGS.maxGaloisKeys(), SETTINGS.loadMaxBytes()),
            SETTINGS.cacheMaxBytes(), SETTINGS.cacheExpireAfterAccess(), KeyLoading.from(SETTINGS),
            Metrics.globalRegistry, "veil.keys");
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
}
