package dev.veil.functions.smpc;

import dev.veil.runtime.spi.HostScope;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * App settings of the secure-serving functions, read from the host's app settings.
 *
 * <ul>
 *   <li>{@value #ROLE}: {@code party0}, {@code party1} or {@code provider}; unset: this host serves no SMPC role
 *       and the functions answer 404.</li>
 *   <li>{@value #SECRET}: the secret the three roles share (at least 16 characters); per-session keys are
 *       derived from it, so a message of one session never authenticates in another.</li>
 *   <li>{@value #PEER}, {@value #PROVIDER}: base URLs (up to and including the route prefix, e.g.
 *       {@code http://10.0.0.2:7071/api}) of the other compute party and of the crypto provider.</li>
 *   <li>{@value #MODELS}: folder of this party's {@code *.share} files (default {@code .veil/smpc-models});
 *       or {@value #STORAGE} (a storage connection string) and {@value #CONTAINER} for a blob container.</li>
 *   <li>{@value #TIMEOUT_MS}: how long a party waits for its peer or the provider (default 10,000).</li>
 *   <li>{@value #MAX_ROWS}: the largest batch one request may carry (default 256).</li>
 * </ul>
 */
public record SmpcSettings(String role, byte[] secret, URI peer, URI provider, Path models, String storage,
                           String container, Duration timeout, int maxRows) {
  public static final String ROLE = "VEIL_SMPC_ROLE";
  public static final String SECRET = "VEIL_SMPC_SECRET";
  public static final String PEER = "VEIL_SMPC_PEER_URL";
  public static final String PROVIDER = "VEIL_SMPC_PROVIDER_URL";
  public static final String MODELS = "VEIL_SMPC_MODELS";
  public static final String STORAGE = "VEIL_SMPC_STORAGE";
  public static final String CONTAINER = "VEIL_SMPC_CONTAINER";
  public static final String TIMEOUT_MS = "VEIL_SMPC_TIMEOUT_MS";
  public static final String MAX_ROWS = "VEIL_SMPC_MAX_ROWS";

  public static SmpcSettings from(UnaryOperator<String> lookup) {
    String role = blankToNull(lookup.apply(ROLE));
    if (role != null && !role.equals("party0") && !role.equals("party1") && !role.equals("provider")) {
      throw new IllegalStateException(ROLE + " must be party0, party1 or provider, got '" + role + "'");
    }
    String secret = blankToNull(lookup.apply(SECRET));
    if (role != null && (secret == null || secret.length() < 16)) {
      throw new IllegalStateException(SECRET + " must be set (at least 16 characters) on every SMPC role");
    }
    String models = blankToNull(lookup.apply(MODELS));
    return new SmpcSettings(role, secret == null ? null : secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        uri(lookup.apply(PEER)), uri(lookup.apply(PROVIDER)), Path.of(models == null ? ".veil/smpc-models" : models),
        blankToNull(lookup.apply(STORAGE)), blankToNull(lookup.apply(CONTAINER)),
        Duration.ofMillis(number(lookup, TIMEOUT_MS, 10_000)), (int) number(lookup, MAX_ROWS, 256));
  }

  /** The host's. */
  public static SmpcSettings of(HostScope scope) {
    return from(name -> scope.settings().get(name).orElse(null));
  }

  /** 0 or 1 for a compute party, -1 otherwise. */
  public int party() {
    return "party0".equals(role) ? 0 : "party1".equals(role) ? 1 : -1;
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static URI uri(String v) {
    String s = blankToNull(v);
    if (s == null) {
      return null;
    }
    return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  private static long number(UnaryOperator<String> lookup, String name, long fallback) {
    String v = blankToNull(lookup.apply(name));
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalStateException("app setting " + name + " must be a positive integer, got '" + v + "'");
    }
  }
}
