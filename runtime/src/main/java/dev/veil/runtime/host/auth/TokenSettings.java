package dev.veil.runtime.host.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * host.json {@code veil.auth.jwt}: bearer tokens are accepted when this section exists. {@code
 * issuers} (accepted {@code iss} values), {@code audiences} (the token's {@code aud} must name
 * one), {@code jwks} (a JWKS file, or an {@code https://} URL), {@code jwksRefreshSeconds} (default
 * 300), {@code clockSkewSeconds} (allowed on {@code exp} and {@code nbf}, default 60), {@code
 * ownIssuer} (the {@code iss} of tokens the host mints with its own key, default {@value
 * #DEFAULT_OWN_ISSUER}) and {@code functions}: per function name (or {@code "*"} for every
 * function) {@code roles} (the token's {@code roles} claim must hold one of them) and {@code
 * claims} (claims that must have exactly these values).
 */
public record TokenSettings(
    Set<String> issuers,
    Set<String> audiences,
    String jwks,
    Duration jwksRefresh,
    Duration clockSkew,
    String ownIssuer,
    Map<String, Requirement> requirements) {
  public static final String DEFAULT_OWN_ISSUER = "veil";

  /** What a function needs from a token beyond a valid signature, issuer, audience and lifetime. */
  public record Requirement(List<String> roles, JsonObject claims) {}

  /** The settings, or {@code null} when host.json has no {@code veil.auth.jwt}. */
  public static TokenSettings from(JsonObject hostJson, Path configDirectory) {
    JsonObject veil = hostJson.getJsonObject("veil", new JsonObject());
    JsonObject jwt = veil.getJsonObject("auth", new JsonObject()).getJsonObject("jwt");
    if (jwt == null) return null;
    try {
      String ownIssuer = jwt.getString("ownIssuer", DEFAULT_OWN_ISSUER);
      Set<String> issuers = new java.util.LinkedHashSet<>(strings(jwt, "issuers"));
      issuers.add(ownIssuer);
      Set<String> audiences = Set.copyOf(strings(jwt, "audiences"));
      if (audiences.isEmpty())
        throw new IllegalArgumentException(
            "veil.auth.jwt.audiences must name at least one audience");
      String jwks = jwt.getString("jwks");
      if (jwks != null && !jwks.startsWith("https://") && !jwks.startsWith("http://")) {
        jwks = configDirectory.resolve(jwks).toString();
      } else if (jwks != null) {
        URI.create(jwks);
      }
      long refresh = jwt.getLong("jwksRefreshSeconds", 300L);
      long skew = jwt.getLong("clockSkewSeconds", 60L);
      if (refresh < 1)
        throw new IllegalArgumentException("veil.auth.jwt.jwksRefreshSeconds must be at least 1");
      if (skew < 0 || skew > 600)
        throw new IllegalArgumentException(
            "veil.auth.jwt.clockSkewSeconds must be between 0 and 600");
      Map<String, Requirement> requirements = new LinkedHashMap<>();
      jwt.getJsonObject("functions", new JsonObject())
          .forEach(
              e -> {
                if (!(e.getValue() instanceof JsonObject r)) {
                  throw new IllegalArgumentException(
                      "veil.auth.jwt.functions." + e.getKey() + " must be an object");
                }
                requirements.put(
                    e.getKey(),
                    new Requirement(
                        strings(r, "roles"), r.getJsonObject("claims", new JsonObject())));
              });
      return new TokenSettings(
          Set.copyOf(issuers),
          audiences,
          jwks,
          Duration.ofSeconds(refresh),
          Duration.ofSeconds(skew),
          ownIssuer,
          Map.copyOf(requirements));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "host.json: a veil.auth.jwt setting has the wrong type: " + e.getMessage(), e);
    }
  }

  private static List<String> strings(JsonObject json, String name) {
    Object value = json.getValue(name);
    if (value == null) return List.of();
    if (value instanceof String s) return List.of(s);
    List<String> out = new ArrayList<>();
    for (Object o : (JsonArray) value) out.add((String) o);
    return out;
  }
}
