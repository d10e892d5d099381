package dev.veil.triggers.security;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.veil.runtime.host.auth.AccessKeys;
import dev.veil.runtime.host.auth.TokenSettings;
import dev.veil.runtime.host.auth.TokenVerifier;
import dev.veil.runtime.spi.AppSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cost of validating a bearer token per request (thread CPU time, so other load on the machine counts
 * less), for each accepted algorithm, beside the key check the same requests would otherwise do.
 * Run: {@code mvn -pl triggers -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=TokenVerifyBenchmark verify}.
 */
class TokenVerifyBenchmark {
  private static final int WARMUP = 20_000;
  private static final int ROUNDS = 5;
  private static final int PER_ROUND = 20_000;
  @TempDir Path dir;

  @Test
  void microsecondsPerValidation() throws Exception {
    JWK rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
    JWK ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
    JWK ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed").generate();
    TokenSettings settings = TokenSettings.from(new JsonObject().put("veil", new JsonObject().put("auth", new JsonObject()
        .put("jwt", new JsonObject().put("issuers", new JsonArray().add(JwtAuthTest.ISSUER))
            .put("audiences", new JsonArray().add(JwtAuthTest.AUDIENCE))))), dir);
    TokenVerifier verifier = new TokenVerifier(settings, new JWKSet());
    verifier.externalKeys(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), ed.toPublicJWK())));
    AccessKeys keys = AccessKeys.load(dir.resolve("keys.json"), new AppSettings(Map.of()), List.of("scores"));
    String key = keys.functionKey("scores");
    System.out.printf("token validation, thread CPU per call, %d rounds of %d after %d warm-up calls%n", ROUNDS, PER_ROUND, WARMUP);
    measure("key check (x-functions-key)", () -> keys.authorizes(AuthorizationLevel.FUNCTION, "scores", key));
    for (JWK jwk : List.of(rsa, ec, ed)) {
      String token = JwtAuthTest.sign(jwk, JwtAuthTest.claims());
      String name = switch (jwk.getKeyID()) { case "rsa" -> "RS256 (RSA 2048)"; case "ec" -> "ES256 (P-256)"; default -> "EdDSA (Ed25519)"; };
      measure(name, () -> verifier.verify(token, "scores").valid());
    }
  }

  private static void measure(String name, BooleanSupplier call) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int i = 0; i < WARMUP; i++) assertTrue(call.getAsBoolean(), name);
    double best = Double.MAX_VALUE;
    double sum = 0;
    for (int r = 0; r < ROUNDS; r++) {
      long cpu = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < PER_ROUND; i++) call.getAsBoolean();
      double us = (threads.getCurrentThreadCpuTime() - cpu) / 1000.0 / PER_ROUND;
      best = Math.min(best, us);
      sum += us;
    }
    System.out.printf("  %-28s %8.2f µs mean, %8.2f µs best round%n", name, sum / ROUNDS, best);
  }
}
