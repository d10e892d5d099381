package dev.veil.functions.encrypted;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.veil.functions.keys.InvalidKeyBundleException;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyBundleDecoder;
import dev.veil.he.CkksParameters;
import dev.veil.he.GaloisKeys;
import dev.veil.he.HeException;
import dev.veil.he.RelinKeys;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deserializes a key bundle with he-native: parameters → (shared) engine, Galois and relinearization keys
 * loaded against it, seeded keys expanded. Every failure names the section and the engine's reason.
 */
public final class SealKeysDecoder implements KeyBundleDecoder<SealKeys> {

    /** One engine per distinct parameter set; bounded since parameters come from untrusted bundles. */
    private final LoadingCache<CkksParameters, SealEngine> engines;

    public SealKeysDecoder(long maxLoadBytes) {
        this.engines = Caffeine.newBuilder().maximumSize(16).build(p -> new SealEngine(p, maxLoadBytes));
    }

    @Override
    public SealKeys decode(KeyBundle bundle) {
        CkksParameters parameters;
        SealEngine engine;
        try {
            parameters = CkksParameters.load(bundle.parameters());
            engine = engines.get(parameters);
        } catch (HeException e) {
            throw new InvalidKeyBundleException("the key bundle's encryption parameters are not usable: " + e.getMessage(), e);
        }
        GaloisKeys galois;
        try {
            galois = GaloisKeys.load(engine.context(), bundle.galoisKeys());
        } catch (HeException e) {
            throw new InvalidKeyBundleException("the key bundle's Galois keys do not load: " + e.getMessage(), e);
        }
        RelinKeys relin = null;
        if (bundle.hasRelinKeys()) {
            try {
                relin = RelinKeys.load(engine.context(), bundle.relinKeys());
            } catch (HeException e) {
                throw new InvalidKeyBundleException("the key bundle's relinearization keys do not load: " + e.getMessage(), e);
            }
        }
        return new SealKeys(engine, galois, relin, galois.galoisElements(), fingerprint(bundle.galoisKeys()));
    }

    /** NTT-form key data in memory: per key, one (2-polynomial, all-primes) component per data prime. */
    @Override
    public long weightBytes(SealKeys keys) {
        var context = keys.engine().context();
        long primes = context.parameters().coeffModulus().length;
        long perKey = (primes - 1) * 2 * primes * context.polyModulusDegree() * 8L;
        return perKey * (keys.galoisElements().length + (keys.relinKeys() == null ? 0 : 1));
    }

    /** SHA-256 of the serialized Galois keys, as the client computes it: ties ciphertexts to their bundle. */
    public static String fingerprint(byte[] galoisKeys) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(galoisKeys));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
