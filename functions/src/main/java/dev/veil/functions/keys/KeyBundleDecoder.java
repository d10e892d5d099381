package dev.veil.functions.keys;

/**
 * Turns a stored bundle into the evaluation keys a function uses. The key cache keeps the decoded form,
 * so deserialization (expanding seeded keys, checking parameters) happens once per bundle version.
 */
public interface KeyBundleDecoder<T> {

    /** Decodes and validates; throws {@link InvalidKeyBundleException} naming what is wrong. */
    T decode(KeyBundle bundle);

    /** Memory held by the decoded keys, in bytes: the cache's weight. */
    long weightBytes(T keys);
}
