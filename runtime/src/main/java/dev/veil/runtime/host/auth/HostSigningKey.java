package dev.veil.runtime.host.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The host's own token signing key (RSA 2048, RS256: on JDK 17 its signatures verify about 20 times
 * faster than ES256, see BENCHMARKS.md), kept as a private JWK in {@code
 * <data>/token-signing-key.json} (owner-only, generated on first use). The host mints tokens with
 * it ({@code veil token issue}) and serves its public half at {@code /.well-known/jwks.json}.
 * Members of a cluster that should accept each other's tokens share this file.
 */
public final class HostSigningKey {
  public static final String FILE_NAME = "token-signing-key.json";

  private final RSAKey key;

  private HostSigningKey(RSAKey key) {
    this.key = key;
  }

  /** Loads the key from the data folder, generating and saving one if there is none; blocking. */
  public static HostSigningKey load(Path dataDirectory) throws IOException {
    Path file = dataDirectory.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) return new HostSigningKey(RSAKey.parse(Files.readString(file)));
      RSAKey generated =
          new RSAKeyGenerator(2048)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.RS256)
              .keyIDFromThumbprint(true)
              .generate();
      SecretFiles.write(file, generated.toJSONString());
      return new HostSigningKey(generated);
    } catch (ParseException | JOSEException e) {
      throw new IllegalArgumentException(
          file
              + " is not a usable RSA private JWK ("
              + e.getMessage()
              + "); delete it to generate a new key",
          e);
    }
  }

  /** The public key set to publish. */
  public JWKSet publicKeys() {
    return new JWKSet(key.toPublicJWK());
  }

  /**
   * A signed token: {@code sub}, {@code aud}, {@code iss}, {@code iat}, {@code nbf}, {@code exp},
   * {@code jti}, optional {@code roles}.
   */
  public String issue(
      String issuer, String subject, List<String> audiences, Duration ttl, List<String> roles) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(subject)
            .audience(audiences)
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString());
    if (!roles.isEmpty()) claims.claim("roles", roles);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256)
                .keyID(key.getKeyID())
                .type(JOSEObjectType.JWT)
                .build(),
            claims.build());
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("the token could not be signed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }
}
