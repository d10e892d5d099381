package dev.veil.runtime.host.auth;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.veil.runtime.spi.AppSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of validating a bearer token per request, for each algorithm the host accepts, beside the
 * key check ({@code x-functions-key}) the same request would otherwise do. Run: {@code
 * bench/micro.sh runtime TokenVerify}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenVerifyBenchmark {
  private static final String ISSUER = "https://idp.bench/";
  private static final String AUDIENCE = "api://veil-bench";
  private static final String FUNCTION = "scores";

  private AccessKeys keys;
  private String functionKey;
  private TokenVerifier verifier;
  private String rs256;
  private String es256;
  private String eddsa;

  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("token-bench");
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
    JsonObject jwt =
        new JsonObject()
            .put("issuers", new JsonArray().add(ISSUER))
            .put("audiences", new JsonArray().add(AUDIENCE));
    JsonObject hostJson =
        new JsonObject()
            .put("veil", new JsonObject().put("auth", new JsonObject().put("jwt", jwt)));
    verifier = new TokenVerifier(TokenSettings.from(hostJson, dir), new JWKSet());
    verifier.externalKeys(
        new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), ed.toPublicJWK())));
    keys = AccessKeys.load(dir.resolve("keys.json"), new AppSettings(Map.of()), List.of(FUNCTION));
    functionKey = keys.functionKey(FUNCTION);
    rs256 = sign(rsa, JWSAlgorithm.RS256, new RSASSASigner(rsa));
    es256 = sign(ec, JWSAlgorithm.ES256, new ECDSASigner(ec));
    eddsa = sign(ed, JWSAlgorithm.EdDSA, new Ed25519Signer(ed));
    for (String token : List.of(rs256, es256, eddsa)) {
      if (!verifier.verify(token, FUNCTION).valid())
        throw new IllegalStateException("the benchmark's token is refused");
    }
  }

  /** Valid for an hour: longer than any run, so every measured call takes the accepting path. */
  private static String sign(JWK key, JWSAlgorithm algorithm, JWSSigner signer) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject("bench")
            .audience(AUDIENCE)
            .issueTime(new Date())
            .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
            .build();
    SignedJWT token =
        new SignedJWT(
            new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
            claims);
    token.sign(signer);
    return token.serialize();
  }

  @Benchmark
  public boolean functionKeyCheck() {
    return keys.authorizes(AuthorizationLevel.FUNCTION, FUNCTION, functionKey);
  }

  @Benchmark
  public boolean rs256Rsa2048() {
    return verifier.verify(rs256, FUNCTION).valid();
  }

  @Benchmark
  public boolean es256P256() {
    return verifier.verify(es256, FUNCTION).valid();
  }

  @Benchmark
  public boolean eddsaEd25519() {
    return verifier.verify(eddsa, FUNCTION).valid();
  }
}
