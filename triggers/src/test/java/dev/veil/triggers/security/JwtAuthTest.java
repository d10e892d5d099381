package dev.veil.triggers.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
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
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.runtime.host.auth.TokenCli;
import dev.veil.testkit.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens signed by keys this test makes, against a JWKS file, a JWKS URL and the host's own
 * key.
 */
class JwtAuthTest {
  static final String ISSUER = "https://idp.test/";
  static final String AUDIENCE = "api://veil-test";
  @TempDir static Path dir;
  static RSAKey rsa;
  static ECKey ec;
  static OctetKeyPair ed;
  static VeilHost host;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    ed = new OctetKeyPairGenerator(Curve.Ed25519).keyID("ed-1").generate();
    writeJwks(rsa, ec, ed);
    host =
        Secure.start(
            new HostOptions()
                .port(0)
                .dataDirectory(dir.resolve("data"))
                .configDirectory(dir)
                .functionClass(SecureFunctions.class)
                .hostJson(hostJson("jwks.json")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (host != null) Secure.await(host.close());
  }

  static JsonObject hostJson(String jwks) {
    return new JsonObject()
        .put(
            "veil",
            new JsonObject()
                .put(
                    "auth",
                    new JsonObject()
                        .put(
                            "jwt",
                            new JsonObject()
                                .put("issuers", new JsonArray().add(ISSUER))
                                .put("audiences", new JsonArray().add(AUDIENCE))
                                .put("jwks", jwks)
                                .put("jwksRefreshSeconds", 3600)
                                .put("clockSkewSeconds", 30)
                                .put(
                                    "functions",
                                    new JsonObject()
                                        .put(
                                            "other",
                                            new JsonObject()
                                                .put(
                                                    "roles",
                                                    new JsonArray().add("scorer").add("admin")))
                                        .put(
                                            "scores",
                                            new JsonObject()
                                                .put(
                                                    "claims",
                                                    new JsonObject().put("tier", "gold")))))));
  }

  @Test
  void validTokensSignedWithRsaEcAndEdDsaAreAccepted() throws Exception {
    assertEquals(200, call(host, "/api/scores", sign(rsa, claims())).statusCode());
    assertEquals(200, call(host, "/api/scores", sign(ec, claims())).statusCode());
    HttpResponse<String> eddsa = call(host, "/api/scores", sign(ed, claims()));
    assertEquals(200, eddsa.statusCode(), eddsa.body());
    assertEquals(
        200,
        call(host, "/api/scores", sign(rsa, claims().expirationTime(ago(10)))).statusCode(),
        "within the 30 s clock skew");
  }

  @Test
  void refusedTokensGet401WithTheReason() throws Exception {
    assertRefused(sign(rsa, claims().expirationTime(ago(120))), "expired");
    assertRefused(
        sign(rsa, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(120)))),
        "not valid yet");
    assertRefused(sign(rsa, claims().audience("api://someone-else")), "audience");
    assertRefused(sign(rsa, claims().issuer("https://evil.test/")), "issuer");
    RSAKey impostor = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    assertRefused(sign(impostor, claims()), "signature is invalid");
    assertRefused(
        sign(new ECKeyGenerator(Curve.P_256).keyID("nobody").generate(), claims()),
        "no key with id 'nobody'");
    assertRefused(new PlainJWT(claims().build()).serialize(), "alg none");
    // HMAC with the public key as the secret: the classic confusion attack
    SignedJWT hmac =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
    hmac.sign(new MACSigner(rsa.toPublicJWK().toRSAPublicKey().getEncoded()));
    assertRefused(hmac.serialize(), "HS256 are not accepted");
    assertRefused("not.a.token", "not a JWT");
    assertEquals(
        431,
        call(host, "/api/scores", "x".repeat(9000)).statusCode(),
        "oversized headers are refused before any parsing");
    assertRefused(sign(rsa, claims().expirationTime(null)), "exp");
  }

  @Test
  void functionsRequireTheirRolesAndClaims() throws Exception {
    HttpResponse<String> noRole = call(host, "/api/other", sign(ec, claims()));
    assertEquals(403, noRole.statusCode(), noRole.body());
    assertTrue(
        noRole.headers().firstValue("www-authenticate").orElse("").contains("insufficient_scope"));
    assertEquals(
        200,
        call(host, "/api/other", sign(ec, claims().claim("roles", List.of("reader", "scorer"))))
            .statusCode());
    assertEquals(
        403, call(host, "/api/scores", sign(ec, claims().claim("tier", "silver"))).statusCode());
    assertEquals(
        401,
        call(host, "/api/operate", sign(ec, claims().claim("roles", List.of("admin"))))
            .statusCode(),
        "tokens never grant admin level");
    // keys still work beside tokens
    assertEquals(
        200,
        CLIENT
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + "/api/other"))
                    .header("x-functions-key", host.keys().functionKey("other"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .statusCode());
  }

  @Test
  void aRotatedJwksFileIsPickedUpWhenATokenNamesTheNewKey() throws Exception {
    RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-rotated").generate();
    String oldToken = sign(rsa, claims());
    writeJwks(next, ec, ed); // rsa-1 retired
    awaitStatus(host, sign(next, claims()), 200);
    assertRefused(oldToken, "no key with id 'rsa-1'");
    writeJwks(rsa, ec, ed); // put it back for the other tests
    awaitStatus(host, oldToken, 200);
  }

  @Test
  void theHostMintsTokensWithItsOwnKeyAndServesItsJwks() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        new TokenCli()
            .run(
                List.of(
                    "issue",
                    "--sub",
                    "ci",
                    "--aud",
                    AUDIENCE,
                    "--ttl",
                    "5m",
                    "--role",
                    "scorer",
                    "--data",
                    dir.resolve("data").toString()),
                new PrintStream(out, true),
                System.err);
    assertEquals(0, exit);
    String token = out.toString().strip();
    assertEquals(200, call(host, "/api/other", token).statusCode());
    JsonObject jwks =
        new JsonObject(
            CLIENT
                .send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:" + host.port() + "/.well-known/jwks.json"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
    assertEquals(SignedJWT.parse(token).getHeader().getKeyID(), key.getString("kid"));
    assertTrue(!key.containsKey("d"), "only the public key is published");
    ByteArrayOutputStream wrongAud = new ByteArrayOutputStream();
    new TokenCli()
        .run(
            List.of(
                "issue",
                "--sub",
                "ci",
                "--aud",
                "api://other",
                "--data",
                dir.resolve("data").toString()),
            new PrintStream(wrongAud, true),
            System.err);
    assertEquals(401, call(host, "/api/scores", wrongAud.toString().strip()).statusCode());
    assertEquals(
        2,
        new TokenCli()
            .run(
                List.of("issue", "--sub", "x", "--aud", "y", "--ttl", "forever"),
                System.out,
                new PrintStream(java.io.OutputStream.nullOutputStream())));
  }

  @Test
  void aJwksUrlIsFetchedAndRefreshedWhenANewKeyAppears() throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicReference<String> served =
        new AtomicReference<>(new JWKSet(List.<JWK>of(ec.toPublicJWK())).toString());
    HttpServer idp =
        Secure.await(
            vertx
                .createHttpServer()
                .requestHandler(
                    r ->
                        r.response()
                            .putHeader("content-type", "application/json")
                            .end(served.get()))
                .listen(0, "127.0.0.1"));
    VeilHost remote = null;
    try {
      remote =
          Secure.start(
              new HostOptions()
                  .port(0)
                  .dataDirectory(dir.resolve("data-url"))
                  .configDirectory(dir)
                  .functionClass(SecureFunctions.class)
                  .hostJson(hostJson("http://127.0.0.1:" + idp.actualPort() + "/keys")));
      assertEquals(200, call(remote, "/api/scores", sign(ec, claims())).statusCode());
      HttpResponse<String> unknown = call(remote, "/api/scores", sign(rsa, claims()));
      assertEquals(401, unknown.statusCode());
      served.set(new JWKSet(List.<JWK>of(ec.toPublicJWK(), rsa.toPublicJWK())).toString());
      awaitStatus(remote, sign(rsa, claims()), 200);
    } finally {
      if (remote != null) Secure.await(remote.close());
      Secure.await(vertx.close());
    }
  }

  private static void assertRefused(String token, String reason) throws Exception {
    HttpResponse<String> r = call(host, "/api/scores", token);
    assertEquals(401, r.statusCode(), r.body());
    String challenge = r.headers().firstValue("www-authenticate").orElse("");
    assertTrue(challenge.startsWith("Bearer error=\"invalid_token\""), challenge);
    assertTrue(
        challenge.contains(reason) && r.body().contains(reason),
        "expected '" + reason + "' in " + challenge + " / " + r.body());
  }

  /**
   * Polls (bounded) until the token gets {@code status}: a key set refresh runs after a request
   * names an unknown key.
   */
  private static void awaitStatus(VeilHost target, String token, int status) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last;
    do {
      last = call(target, "/api/scores", token).statusCode();
      if (last == status) return;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("still " + last + ", wanted " + status);
  }

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("client-7")
        .audience(AUDIENCE)
        .claim("tier", "gold")
        .issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plusSeconds(300)));
  }

  static Date ago(long seconds) {
    return Date.from(Instant.now().minusSeconds(seconds));
  }

  static String sign(JWK key, JWTClaimsSet.Builder claims) throws Exception {
    JWSAlgorithm alg;
    JWSSigner signer;
    if (key instanceof RSAKey r) {
      alg = JWSAlgorithm.RS256;
      signer = new RSASSASigner(r);
    } else if (key instanceof ECKey e) {
      alg = JWSAlgorithm.ES256;
      signer = new ECDSASigner(e);
    } else {
      alg = JWSAlgorithm.EdDSA;
      signer = new Ed25519Signer((OctetKeyPair) key);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
            claims.build());
    jwt.sign(signer);
    return jwt.serialize();
  }

  static HttpResponse<String> call(VeilHost target, String path, String token) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void writeJwks(JWK... keys) {
    TestPki.write(
        dir.resolve("jwks.json"),
        new JWKSet(java.util.Arrays.stream(keys).map(JWK::toPublicJWK).toList()).toString());
  }
}
