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
 * Deserializes a key bundle with he-native: parameters → (shared) engine, Galois and
 * relinearization keys loaded against it, seeded keys expanded. Every failure names the section and
 * the engine's reason.
 */
public final class SealKeysDecoder implements KeyBundleDecoder<SealKeys> {

  /**
   * One engine per distinct parameter set; bounded since parameters come from untrusted bundles.
   */
  private final LoadingCache<CkksParameters, SealEngine> engines;

  private final int maxGaloisKeys;
  private final long loadMaxBytes;

  /**
   * @param maxGaloisKeys the most Galois keys a bundle may carry: with the parameters, it fixes the
   *     expected size of the key objects, which the loader enforces before and while decompressing
   * @param loadMaxBytes a cap on that expected size (the per-load memory budget)
   */
  public SealKeysDecoder(int maxGaloisKeys, long loadMaxBytes) {
    this.maxGaloisKeys = maxGaloisKeys;
    this.loadMaxBytes = loadMaxBytes;
    this.engines =
        Caffeine.newBuilder().maximumSize(16).build(p -> new SealEngine(p, keySetBytes(p)));
  }

  /**
   * The largest serialized key set (members, uncompressed) these parameters allow: SEAL writes one
   * slot per possible Galois element (N of them, 8 bytes each when empty) and, per key, one
   * 2-polynomial ciphertext at the key level (all k primes) for each of the k-1 data primes. Capped
   * by the per-load bound.
   */
  long keySetBytes(CkksParameters parameters) {
    long n = parameters.polyModulusDegree();
    long k = parameters.coeffModulus().length;
    long component = 512 + 2 * k * n * 8; // polynomials plus nested headers, ids, counts and scale
    long perKey = 8 + Math.max(1, k - 1) * component;
    long bound = 64 + n * 8 + (long) Math.max(1, maxGaloisKeys) * perKey;
    return Math.min(bound, loadMaxBytes);
  }

  private CkksParameters parameters(byte[] serialized) {
    try {
      return CkksParameters.load(serialized);
    } catch (HeException e) {
      throw new InvalidKeyBundleException(
          "the key bundle's encryption parameters are not usable: " + e.getMessage(), e);
    }
  }

  /**
   * A key section holds one SEAL object of at most {@link #keySetBytes}; compressed it is hardly
   * larger.
   */
  @Override
  public long maxKeySectionBytes(byte[] parameters) {
    long bound = keySetBytes(parameters(parameters));
    return bound + bound / 64 + 1024;
  }

  /**
   * Per key section: a compressed one may inflate up to the bound (the inflater's buffer, grown by
   * doubling) while the decoded keys take their own copy, so about twice the bound at the peak; an
   * uncompressed one is read in place and decoded once.
   */
  @Override
  public long decodeBytes(KeyBundle bundle) {
    long bound = keySetBytes(parameters(bundle.parameters()));
    return sectionDecodeBytes(bundle.galoisKeys(), bound)
        + (bundle.hasRelinKeys() ? sectionDecodeBytes(bundle.relinKeys(), bound) : 0);
  }

  private static long sectionDecodeBytes(byte[] section, long bound) {
    boolean compressed =
        section.length > 5 && section[5] != 0; // SEAL header byte 5: compression mode
    return compressed ? 2 * bound : section.length;
  }

  @Override
  public SealKeys decode(KeyBundle bundle) {
    CkksParameters parameters;
    SealEngine engine;
    try {
      parameters = CkksParameters.load(bundle.parameters());
      engine = engines.get(parameters);
    } catch (HeException e) {
      throw new InvalidKeyBundleException(
          "the key bundle's encryption parameters are not usable: " + e.getMessage(), e);
    }
    GaloisKeys galois;
    try {
      galois = GaloisKeys.load(engine.context(), bundle.galoisKeys());
    } catch (HeException e) {
      throw new InvalidKeyBundleException(
          "the key bundle's Galois keys do not load: " + e.getMessage(), e);
    }
    RelinKeys relin = null;
    if (bundle.hasRelinKeys()) {
      try {
        relin = RelinKeys.load(engine.context(), bundle.relinKeys());
      } catch (HeException e) {
        throw new InvalidKeyBundleException(
            "the key bundle's relinearization keys do not load: " + e.getMessage(), e);
      }
    }
    return new SealKeys(
        engine, galois, relin, galois.galoisElements(), fingerprint(bundle.galoisKeys()));
  }

  /**
   * NTT-form key data in memory: per key, one (2-polynomial, all-primes) component per data prime.
   */
  @Override
  public long weightBytes(SealKeys keys) {
    var context = keys.engine().context();
    long primes = context.parameters().coeffModulus().length;
    long perKey = (primes - 1) * 2 * primes * context.polyModulusDegree() * 8L;
    return perKey * (keys.galoisElements().length + (keys.relinKeys() == null ? 0 : 1));
  }

  /**
   * SHA-256 of the serialized Galois keys, as the client computes it: ties ciphertexts to their
   * bundle.
   */
  public static String fingerprint(byte[] galoisKeys) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(galoisKeys));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
