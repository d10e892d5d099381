package dev.veil.runtime.spi;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import io.vertx.core.http.HttpServerRequest;

/**
 * The host's access keys, with Azure Functions semantics: ANONYMOUS needs no key, FUNCTION accepts
 * the function's keys, a host key or the master key, ADMIN accepts only the master key. Keys are
 * compared in constant time and never logged. Where the host accepts bearer tokens, {@link #check}
 * also looks at {@code Authorization: Bearer <JWT>}.
 */
public interface AuthKeys {

  /**
   * Whether {@code presentedKey} (may be {@code null}) grants {@code level} for {@code
   * functionName}.
   */
  boolean authorizes(AuthorizationLevel level, String functionName, String presentedKey);

  /**
   * Whether a request's credentials (key or token) grant {@code level}, and why not; must not
   * block.
   */
  default Verdict check(AuthorizationLevel level, String functionName, HttpServerRequest request) {
    return authorizes(level, functionName, HttpErrors.presentedKey(request))
        ? Verdict.ALLOWED
        : Verdict.NO_KEY;
  }

  /**
   * The outcome of {@link #check}: allowed, or refused with a status (401, or 403 for a valid token
   * that lacks a role the function needs), a message naming the reason ({@code null}: "needs a
   * valid key") and a {@code WWW-Authenticate} challenge ({@code null} for none).
   */
  record Verdict(boolean allowed, int status, String message, String challenge) {
    public static final Verdict ALLOWED = new Verdict(true, 200, null, null);
    public static final Verdict NO_KEY = new Verdict(false, 401, null, null);
  }
}
