package dev.veil.runtime.host.auth;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the host accepts as credentials: its access keys and, where host.json configures {@code
 * veil.auth.jwt}, bearer tokens. A valid token grants FUNCTION level (never ADMIN: the admin API
 * and admin functions take the master key only). A refused token is answered 401 with a {@code
 * WWW-Authenticate: Bearer error="invalid_token"} challenge naming the reason, or 403 ({@code
 * insufficient_scope}) when it lacks a role or claim the function needs.
 */
public final class HostAuth implements AuthKeys {
  private final AccessKeys keys;
  private final TokenSettings settings;
  private final HostSigningKey signingKey;
  private final TokenVerifier verifier;
  private JwksRefresher refresher;

  public HostAuth(AccessKeys keys, TokenSettings settings, HostSigningKey signingKey) {
    this.keys = keys;
    this.settings = settings;
    this.signingKey = signingKey;
    this.verifier = settings == null ? null : new TokenVerifier(settings, signingKey.publicKeys());
  }

  /** Reads the configured JWKS and keeps it fresh. */
  public Future<Void> start(Vertx vertx) {
    if (settings == null || settings.jwks() == null) return Future.succeededFuture();
    refresher =
        new JwksRefresher(vertx, settings.jwks(), settings.jwksRefresh(), verifier::externalKeys);
    verifier.onUnknownKey(refresher::refreshSoon);
    return refresher.start();
  }

  public void stop() {
    if (refresher != null) refresher.stop();
  }

  /** Whether bearer tokens are accepted. */
  public boolean tokens() {
    return verifier != null;
  }

  /** The host's own signing key, or {@code null} when tokens are off. */
  public HostSigningKey signingKey() {
    return signingKey;
  }

  public TokenVerifier verifier() {
    return verifier;
  }

  @Override
  public boolean authorizes(AuthorizationLevel level, String functionName, String presentedKey) {
    return keys.authorizes(level, functionName, presentedKey);
  }

  @Override
  public Verdict check(AuthorizationLevel level, String functionName, HttpServerRequest request) {
    String authorization = request.getHeader("authorization");
    if (verifier == null
        || authorization == null
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorizes(level, functionName, HttpErrors.presentedKey(request))
          ? Verdict.ALLOWED
          : Verdict.NO_KEY;
    }
    if (level == AuthorizationLevel.ADMIN) {
      return new Verdict(
          false,
          401,
          "this needs the master key; tokens grant function access only",
          "Bearer error=\"insufficient_scope\"");
    }
    TokenVerifier.Outcome outcome =
        verifier.verify(authorization.substring(7).strip(), functionName);
    if (outcome.valid()) return Verdict.ALLOWED;
    String description = outcome.error().replace("\"", "'");
    return outcome.forbidden()
        ? new Verdict(
            false,
            403,
            outcome.error(),
            "Bearer error=\"insufficient_scope\", error_description=\"" + description + "\"")
        : new Verdict(
            false,
            401,
            outcome.error(),
            "Bearer error=\"invalid_token\", error_description=\"" + description + "\"");
  }
}
