package dev.veil.functions.keys;

import dev.veil.functions.http.FunctionFailure;

/** No key bundle is stored under the requested container and key id (maps to HTTP 404). */
public final class KeyBundleNotFoundException extends FunctionFailure {
  public KeyBundleNotFoundException(KeyRef ref) {
    super(
        Meaning.NOT_FOUND,
        "no key bundle '" + ref.keyId() + "' in container '" + ref.container() + "'");
  }
}
