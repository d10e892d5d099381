package dev.veil.runtime.spi;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;

/**
 * The host's access keys, with Azure Functions semantics: ANONYMOUS needs no key, FUNCTION accepts the
 * function's key, a host key or the master key, ADMIN accepts only the master key. Keys are compared in
 * constant time and never logged.
 */
public interface AuthKeys {

  /** Whether {@code presentedKey} (may be {@code null}) grants {@code level} for {@code functionName}. */
  boolean authorizes(AuthorizationLevel level, String functionName, String presentedKey);
}
