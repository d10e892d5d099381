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
 *   <li>{@value #ROLE}: {@code party0}, {@code party1} or {@code provider}; unset: this host serves
 *       no SMPC role and the functions answer 404.
 *   <li>{@value #PARTIES_KEY}, {@value #PARTY0_PROVIDER_KEY}, {@value #PARTY1_PROVIDER_KEY}: one
 *       secret per link (at least 16 characters each), set only on the link's two ends: a role
 *       needs the keys of its two links and refuses to start with the third (it would let it speak
 *       for another role). Per-session keys are derived from them ({@link SessionKeys}).
 *   <li>{@value #TLS_CERTIFICATE}, {@value #TLS_KEY}, {@value #TLS_CA}: the certificate (PEM chain)
 *       and key this role presents when it calls the other roles over HTTPS, and the CA bundle it
 *       trusts for their certificates; default to the host's own {@code VEIL_TLS_CERTIFICATE_FILE},
 *       {@code VEIL_TLS_KEY_FILE} and {@code VEIL_TLS_CLIENT_CA_FILE}. With the host's listener
 *       requiring client certificates from that CA, every link is mutual TLS.
 *   <li>{@value #PEER}, {@value #PROVIDER}: base URLs (up to and including the route prefix, e.g.
 *       {@code http://10.0.0.2:7071/api}) of the other compute party and of the crypto provider.
 *   <li>{@value #MODELS}: folder of this party's {@code *.share} files (default {@code
 *       .veil/smpc-models}); or {@value #STORAGE} (a storage connection string) and {@value
 *       #CONTAINER} for a blob container.
 *   <li>{@value #TIMEOUT_MS}: how long a party waits for its peer or the provider (default 10,000).
 *   <li>{@value #MAX_ROWS}: the largest batch one request may carry (default 256).
 * </ul>
 */
public record SmpcSettings(
    String role,
    java.util.Map<String, byte[]> linkKeys,
    URI peer,
    URI provider,
    Path models,
    String storage,
    String container,
    Duration timeout,
    int maxRows,
    Path tlsCertificate,
    Path tlsKey,
    Path tlsCa) {
  public static final String ROLE = "VEIL_SMPC_ROLE";

  /** The single shared secret of earlier versions: refused with a pointer to the per-link keys. */
  public static final String SECRET = "VEIL_SMPC_SECRET";

  public static final String PARTIES_KEY = "VEIL_SMPC_PARTIES_KEY";
  public static final String PARTY0_PROVIDER_KEY = "VEIL_SMPC_PARTY0_PROVIDER_KEY";
  public static final String PARTY1_PROVIDER_KEY = "VEIL_SMPC_PARTY1_PROVIDER_KEY";
  public static final String TLS_CERTIFICATE = "VEIL_SMPC_TLS_CERTIFICATE_FILE";
  public static final String TLS_KEY = "VEIL_SMPC_TLS_KEY_FILE";
  public static final String TLS_CA = "VEIL_SMPC_TLS_CA_FILE";
  private static final java.util.Map<String, String> LINK_SETTINGS =
      java.util.Map.of(
          SessionKeys.PARTIES,
          PARTIES_KEY,
          SessionKeys.PARTY0_PROVIDER,
          PARTY0_PROVIDER_KEY,
          SessionKeys.PARTY1_PROVIDER,
          PARTY1_PROVIDER_KEY);
  public static final String PEER = "VEIL_SMPC_PEER_URL";
  public static final String PROVIDER = "VEIL_SMPC_PROVIDER_URL";
  public static final String MODELS = "VEIL_SMPC_MODELS";
  public static final String STORAGE = "VEIL_SMPC_STORAGE";
  public static final String CONTAINER = "VEIL_SMPC_CONTAINER";
  public static final String TIMEOUT_MS = "VEIL_SMPC_TIMEOUT_MS";
  public static final String MAX_ROWS = "VEIL_SMPC_MAX_ROWS";

  public static SmpcSettings from(UnaryOperator<String> lookup) {
    String role = blankToNull(lookup.apply(ROLE));
    if (role != null
        && !role.equals("party0")
        && !role.equals("party1")
        && !role.equals("provider")) {
      throw new IllegalStateException(
          ROLE + " must be party0, party1 or provider, got '" + role + "'");
    }
    java.util.Map<String, byte[]> keys = role == null ? java.util.Map.of() : linkKeys(role, lookup);
    String models = blankToNull(lookup.apply(MODELS));
    return new SmpcSettings(
        role,
        keys,
        uri(lookup.apply(PEER)),
        uri(lookup.apply(PROVIDER)),
        Path.of(models == null ? ".veil/smpc-models" : models),
        blankToNull(lookup.apply(STORAGE)),
        blankToNull(lookup.apply(CONTAINER)),
        Duration.ofMillis(number(lookup, TIMEOUT_MS, 10_000)),
        (int) number(lookup, MAX_ROWS, 256),
        path(lookup, TLS_CERTIFICATE, "VEIL_TLS_CERTIFICATE_FILE"),
        path(lookup, TLS_KEY, "VEIL_TLS_KEY_FILE"),
        path(lookup, TLS_CA, "VEIL_TLS_CLIENT_CA_FILE"));
  }

  /** The keys of the two links {@code role} is an end of; the third link's key must not be here. */
  private static java.util.Map<String, byte[]> linkKeys(String role, UnaryOperator<String> lookup) {
    if (blankToNull(lookup.apply(SECRET)) != null) {
      throw new IllegalStateException(
          SECRET
              + " (one secret for all three roles) is no longer read: give each link its own key ("
              + PARTIES_KEY
              + " on both parties, "
              + PARTY0_PROVIDER_KEY
              + " on party 0 and the provider, "
              + PARTY1_PROVIDER_KEY
              + " on party 1 and the provider)");
    }
    java.util.Map<String, byte[]> keys = new java.util.HashMap<>();
    for (java.util.Map.Entry<String, String> link : LINK_SETTINGS.entrySet()) {
      boolean mine = link.getKey().contains(role);
      String value = blankToNull(lookup.apply(link.getValue()));
      if (!mine && value != null) {
        throw new IllegalStateException(
            link.getValue()
                + " is the key of the "
                + link.getKey()
                + " link and must not be set on "
                + role
                + ": a role holding it could forge that link's messages");
      }
      if (mine) {
        if (value == null || value.length() < 16) {
          throw new IllegalStateException(
              link.getValue() + " must be set (at least 16 characters) on " + role);
        }
        keys.put(link.getKey(), value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    java.util.List<byte[]> values = java.util.List.copyOf(keys.values());
    if (java.util.Arrays.equals(values.get(0), values.get(1))) {
      throw new IllegalStateException(
          "the two link keys of " + role + " are equal; each link needs its own key");
    }
    return java.util.Map.copyOf(keys);
  }

  /** The key of {@code link}, which this role must be an end of. */
  public SessionKeys keys(String link) {
    byte[] key = linkKeys.get(link);
    if (key == null) {
      throw new IllegalStateException(role + " holds no key for the " + link + " link");
    }
    return new SessionKeys(link, key);
  }

  private static Path path(UnaryOperator<String> lookup, String name, String fallback) {
    String v = blankToNull(lookup.apply(name));
    if (v == null) {
      v = blankToNull(lookup.apply(fallback));
    }
    return v == null ? null : Path.of(v);
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
      throw new IllegalStateException(
          "app setting " + name + " must be a positive integer, got '" + v + "'");
    }
  }
}
