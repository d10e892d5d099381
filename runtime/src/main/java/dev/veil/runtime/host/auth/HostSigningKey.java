package dev.veil.runtime.host.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
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
 * The host's own token signing key (EC P-256, ES256), kept as a private JWK in
 * {@code <data>/token-signing-key.json} (owner-only, generated on first use). The host mints tokens with it
 * ({@code veil token issue}) and serves its public half at {@code /.well-known/jwks.json}. Members of a
 * cluster that should accept each other's tokens share this file.
 */
public final class HostSigningKey {
  public static final String FILE_NAME = "token-signing-key.json";

  private final ECKey key;

  private HostSigningKey(ECKey key) {
    this.key = key;
  }

  /** Loads the key from the data folder, generating and saving one if there is none; blocking. */
  public static HostSigningKey load(Path dataDirectory) throws IOException {
    Path file = dataDirectory.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) return new HostSigningKey(ECKey.parse(Files.readString(file)));
      ECKey generated = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
          .keyIDFromThumbprint(true).generate();
      SecretFiles.write(file, generated.toJSONString());
      return new HostSigningKey(generated);
    } catch (ParseException | JOSEException e) {
      throw new IllegalArgumentException(file + " is not a usable EC private JWK (" + e.getMessage() + "); delete it to generate a new key", e);
    }
  }

  /** The public key set to publish. */
  public JWKSet publicKeys() {
    return new JWKSet(key.toPublicJWK());
  }

  /** A signed token: {@code sub}, {@code aud}, {@code iss}, {@code iat}, {@code nbf}, {@code exp}, {@code jti}, optional {@code roles}. */
  public String issue(String issuer, String subject, List<String> audiences, Duration ttl, List<String> roles) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience(audiences)
        .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
        .jwtID(UUID.randomUUID().toString());
    if (!roles.isEmpty()) claims.claim("roles", roles);
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
        claims.build());
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("the token could not be signed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }
}
