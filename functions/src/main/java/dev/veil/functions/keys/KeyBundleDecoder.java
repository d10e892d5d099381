package dev.veil.functions.keys;

/**
 * Turns a stored bundle into the evaluation keys a function uses. The key cache keeps the decoded
 * form, so deserialization (expanding seeded keys, checking parameters) happens once per bundle
 * version.
 */
public interface KeyBundleDecoder<T> {

  /** Decodes and validates; throws {@link InvalidKeyBundleException} naming what is wrong. */
  T decode(KeyBundle bundle);

  /** Memory held by the decoded keys, in bytes: the cache's weight. */
  long weightBytes(T keys);

  /**
   * The most bytes one key section (serialized Galois or relinearization keys) may have for a
   * bundle with these serialized parameters: bundles are read no further than that. Throws {@link
   * InvalidKeyBundleException} when the parameters are unusable.
   */
  default long maxKeySectionBytes(byte[] parameters) {
    return Long.MAX_VALUE;
  }

  /**
   * The most memory decoding {@code bundle} may take at its peak: reserved from the load budget
   * first.
   */
  default long decodeBytes(KeyBundle bundle) {
    return bundle.sizeBytes();
  }
}
