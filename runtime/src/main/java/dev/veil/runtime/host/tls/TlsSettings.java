package dev.veil.runtime.host.tls;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.tls.PemCredentials;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * host.json {@code veil.tls}: {@code certificate} (PEM chain, leaf first), {@code key} (PEM private
 * key: PKCS#8, or PKCS#1 RSA / SEC1 EC), optional {@code clientCertificateAuthorities} (PEM CA
 * bundle: clients must present a certificate signed by one of them), optional {@code httpPort} (a
 * plain-HTTP listener beside the TLS one; none by default), {@code engine} ({@code auto}: OpenSSL
 * where it loads, else the JDK's; {@code openssl}; {@code jdk}) and {@code reloadCheckSeconds} (how
 * often the files are checked for changes, default 5; 0: only {@code POST /admin/host/tls/reload}).
 * App settings {@value #CERTIFICATE_SETTING}, {@value #KEY_SETTING} and {@value #CLIENT_CA_SETTING}
 * name the files instead. Relative paths are resolved against the configuration folder.
 */
public record TlsSettings(
    Path certificate,
    Path key,
    Path clientCertificateAuthorities,
    Integer plainHttpPort,
    Engine engine,
    Duration reloadCheckInterval) {
  public static final String CERTIFICATE_SETTING = "VEIL_TLS_CERTIFICATE_FILE";
  public static final String KEY_SETTING = "VEIL_TLS_KEY_FILE";
  public static final String CLIENT_CA_SETTING = "VEIL_TLS_CLIENT_CA_FILE";

  /** Which TLS implementation terminates connections. */
  public enum Engine {
    AUTO,
    OPENSSL,
    JDK
  }

  /** Reads and checks the files these settings name; blocking. */
  public PemCredentials loadCredentials() {
    return PemCredentials.load(certificate, key, clientCertificateAuthorities, Instant.now());
  }

  /** The settings, or {@code null} when no certificate is configured (plain HTTP). */
  public static TlsSettings from(JsonObject hostJson, AppSettings settings, Path configDirectory) {
    JsonObject tls = section(section(hostJson, "veil"), "tls");
    try {
      String certificate = settings.get(CERTIFICATE_SETTING).orElse(tls.getString("certificate"));
      String key = settings.get(KEY_SETTING).orElse(tls.getString("key"));
      String clientCa =
          settings.get(CLIENT_CA_SETTING).orElse(tls.getString("clientCertificateAuthorities"));
      if (certificate == null && key == null) {
        if (clientCa != null)
          throw new IllegalArgumentException(
              "veil.tls.clientCertificateAuthorities needs veil.tls.certificate and veil.tls.key");
        return null;
      }
      if (certificate == null)
        throw new IllegalArgumentException(
            "veil.tls.key is set but veil.tls.certificate (or " + CERTIFICATE_SETTING + ") is not");
      if (key == null)
        throw new IllegalArgumentException(
            "veil.tls.certificate is set but veil.tls.key (or " + KEY_SETTING + ") is not");
      Integer httpPort = tls.getInteger("httpPort");
      if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
        throw new IllegalArgumentException(
            "veil.tls.httpPort must be between 0 and 65535, got " + httpPort);
      }
      Engine engine;
      try {
        engine = Engine.valueOf(tls.getString("engine", "auto").toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "veil.tls.engine must be auto, openssl or jdk, got '" + tls.getString("engine") + "'");
      }
      Number check = tls.getNumber("reloadCheckSeconds", 5);
      if (check.doubleValue() < 0)
        throw new IllegalArgumentException("veil.tls.reloadCheckSeconds must not be negative");
      return new TlsSettings(
          configDirectory.resolve(certificate),
          configDirectory.resolve(key),
          clientCa == null ? null : configDirectory.resolve(clientCa),
          httpPort,
          engine,
          Duration.ofMillis(Math.round(check.doubleValue() * 1000)));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "host.json: a veil.tls setting has the wrong type: " + e.getMessage(), e);
    }
  }

  private static JsonObject section(JsonObject parent, String name) {
    Object value = parent.getValue(name);
    if (value == null) return new JsonObject();
    if (value instanceof JsonObject o) return o;
    throw new IllegalArgumentException("host.json: '" + name + "' must be an object");
  }
}
