package dev.veil.runtime.host.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates bearer tokens with Nimbus JOSE+JWT: signature by a key of the host's own set or the
 * configured JWKS (RS256, ES256, EdDSA only: unsigned tokens and HMAC tokens, which would use a
 * public key as their secret, are refused), {@code iss}, {@code aud}, {@code exp} and {@code nbf}
 * with the configured clock skew, then the function's required roles and claims. CPU only: key sets
 * are refreshed elsewhere.
 */
public final class TokenVerifier {
  /** Tokens longer than this are refused unread. */
  static final int MAX_TOKEN_CHARS = 8192;

  static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
  private static final Set<JWSAlgorithm> EDDSA = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

  /**
   * A valid token's claims, or why it was refused ({@code forbidden}: valid, but lacks what the
   * function needs).
   */
  public record Outcome(JWTClaimsSet claims, String error, boolean forbidden) {
    public boolean valid() {
      return error == null;
    }
  }

  private final TokenSettings settings;
  private final JWKSet own;
  private volatile JWKSet external = new JWKSet();
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;
  private volatile Runnable onUnknownKey = () -> {};

  public TokenVerifier(TokenSettings settings, JWKSet own) {
    this.settings = settings;
    this.own = own;
    JWKSource<SecurityContext> keys =
        (selector, context) -> {
          List<JWK> found = new ArrayList<>(selector.select(own));
          found.addAll(selector.select(external));
          return found;
        };
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    claimsVerifier =
        new DefaultJWTClaimsVerifier<>(settings.audiences(), null, Set.of("iss", "exp"), null);
    claimsVerifier.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claimsVerifier);
  }

  /** Replaces the external key set (a JWKS refresh). */
  public void externalKeys(JWKSet keys) {
    external = keys;
  }

  /** Called when a token names a key id that no key set holds (the JWKS may have rotated). */
  public void onUnknownKey(Runnable action) {
    onUnknownKey = action;
  }

  public Outcome verify(String token, String functionName) {
    if (token.length() > MAX_TOKEN_CHARS)
      return refused("the token is longer than " + MAX_TOKEN_CHARS + " characters");
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      return refused("the token is not a JWT: " + e.getMessage());
    }
    if (jwt instanceof PlainJWT) return refused("unsigned tokens (alg none) are not accepted");
    if (!(jwt instanceof SignedJWT signed)) return refused("encrypted tokens are not accepted");
    JWSHeader header = signed.getHeader();
    if (!ALGORITHMS.contains(header.getAlgorithm())) {
      return refused(
          "tokens signed with "
              + header.getAlgorithm()
              + " are not accepted (RS256, ES256, EdDSA)");
    }
    if (header.getKeyID() != null && !knows(header.getKeyID())) {
      onUnknownKey.run();
      return refused(
          "no key with id '"
              + header.getKeyID()
              + "' is known (the key set may have rotated; retry shortly)");
    }
    JWTClaimsSet claims;
    try {
      claims =
          EDDSA.contains(header.getAlgorithm())
              ? processEdDsa(signed)
              : processor.process(signed, null);
    } catch (BadJOSEException e) {
      return refused(reason(e.getMessage()));
    } catch (JOSEException e) {
      return refused("the token could not be verified: " + e.getMessage());
    }
    if (!settings.issuers().contains(claims.getIssuer()))
      return refused("the token's issuer '" + claims.getIssuer() + "' is not accepted");
    return requirements(claims, functionName);
  }

  /**
   * Nimbus's processor has no verifier factory for EdDSA, so these tokens are checked with its
   * Ed25519 verifier against the matching keys, then by the same type and claims verifiers.
   */
  private JWTClaimsSet processEdDsa(SignedJWT signed) throws BadJOSEException, JOSEException {
    DefaultJOSEObjectTypeVerifier.JWT.verify(signed.getHeader().getType(), null);
    JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(signed.getHeader()));
    List<JWK> candidates = new ArrayList<>(selector.select(own));
    candidates.addAll(selector.select(external));
    if (candidates.isEmpty())
      throw new BadJOSEException(
          "Signed JWT rejected: Another algorithm expected, or no matching key(s) found");
    boolean verified = false;
    for (JWK key : candidates) {
      if (key instanceof OctetKeyPair okp && okp.getCurve().equals(Curve.Ed25519)) {
        verified |= signed.verify(new Ed25519Verifier(okp.toPublicJWK()));
      }
    }
    if (!verified) throw new BadJOSEException("Signed JWT rejected: Invalid signature");
    JWTClaimsSet claims;
    try {
      claims = signed.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new BadJOSEException("Invalid JWT claims set: " + e.getMessage(), e);
    }
    claimsVerifier.verify(claims, null);
    return claims;
  }

  private Outcome requirements(JWTClaimsSet claims, String functionName) {
    TokenSettings.Requirement need = settings.requirements().get(functionName);
    if (need == null) need = settings.requirements().get("*");
    if (need == null) return new Outcome(claims, null, false);
    if (!need.roles().isEmpty()) {
      List<String> roles = roles(claims);
      if (need.roles().stream().noneMatch(roles::contains)) {
        return new Outcome(
            claims, "function '" + functionName + "' needs one of the roles " + need.roles(), true);
      }
    }
    JsonObject present = new JsonObject(claims.toJSONObject());
    for (Map.Entry<String, Object> e : need.claims()) {
      if (!Json.encode(e.getValue()).equals(Json.encode(present.getValue(e.getKey())))) {
        return new Outcome(
            claims,
            "function '"
                + functionName
                + "' needs the claim "
                + e.getKey()
                + " = "
                + Json.encode(e.getValue()),
            true);
      }
    }
    return new Outcome(claims, null, false);
  }

  private static List<String> roles(JWTClaimsSet claims) {
    Object value = claims.getClaim("roles");
    if (value instanceof String s) return List.of(s.split(" "));
    if (value instanceof List<?> list) return list.stream().map(String::valueOf).toList();
    return List.of();
  }

  private boolean knows(String keyId) {
    JWKSelector byId = new JWKSelector(new JWKMatcher.Builder().keyID(keyId).build());
    return !byId.select(own).isEmpty() || !byId.select(external).isEmpty();
  }

  /** Nimbus's reasons, in the words of this API. */
  private static String reason(String nimbus) {
    String m = String.valueOf(nimbus);
    if (m.contains("Expired JWT")) return "the token expired";
    if (m.contains("before use time")) return "the token is not valid yet (nbf)";
    if (m.contains("audience rejected") || m.contains("aud claim rejected"))
      return "the token is not meant for this audience";
    if (m.contains("Invalid signature")) return "the token's signature is invalid";
    if (m.contains("Missing required claims"))
      return "the token lacks a required claim: " + m.replaceFirst(".*claims:\\s*", "");
    if (m.contains("no matching key")) return "no key of the key sets verifies this token";
    return "the token was refused: " + m;
  }

  private static Outcome refused(String why) {
    return new Outcome(null, why, false);
  }
}
