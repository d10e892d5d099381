package dev.veil.functions.keys;

/** No key bundle is stored under the requested container and key id (maps to HTTP 404). */
public final class KeyBundleNotFoundException extends RuntimeException {
    public KeyBundleNotFoundException(KeyRef ref) {
        super("no key bundle '" + ref.keyId() + "' in container '" + ref.container() + "'");
    }
}
