package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.runtime.spi.AppSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The security attributes of {@code @KafkaTrigger} / {@code @KafkaOutput} as the Azure Kafka
 * extension reads them, mapped onto the Apache Kafka client: {@code protocol} (PLAINTEXT, SSL,
 * SASLPLAINTEXT, SASLSSL), {@code authenticationMode} (PLAIN, SCRAMSHA256, SCRAMSHA512), {@code
 * username} / {@code password} (app settings, see {@link KafkaSettings#setting}), and PEM files:
 * {@code sslCaLocation} (the broker's CA), {@code sslCertificateLocation} + {@code sslKeyLocation}
 * (a client certificate; the key PKCS#8, encrypted with {@code sslKeyPassword} or not). Names are
 * the enum constants' names, so the attributes are read as text and a value this host cannot serve
 * is a start error naming it.
 */
record KafkaSecurity(
    String protocol,
    String authenticationMode,
    String username,
    String password,
    String sslCaLocation,
    String sslCertificateLocation,
    String sslKeyLocation,
    String sslKeyPassword) {

  static KafkaSecurity of(KafkaTrigger t) {
    return new KafkaSecurity(
        t.protocol().name(),
        t.authenticationMode().name(),
        t.username(),
        t.password(),
        t.sslCaLocation(),
        t.sslCertificateLocation(),
        t.sslKeyLocation(),
        t.sslKeyPassword());
  }

  static KafkaSecurity of(KafkaOutput o) {
    return new KafkaSecurity(
        o.protocol().name(),
        o.authenticationMode().name(),
        o.username(),
        o.password(),
        o.sslCaLocation(),
        o.sslCertificateLocation(),
        o.sslKeyLocation(),
        o.sslKeyPassword());
  }

  /**
   * The Kafka client properties for these attributes (empty for a plaintext connection). Reads the
   * PEM files, so call it off the event loop. Throws IllegalArgumentException naming what is wrong.
   */
  Map<String, String> clientConfig(AppSettings settings, String what) {
    Map<String, String> config = new LinkedHashMap<>();
    String securityProtocol =
        switch (protocol) {
          case "NOTSET", "PLAINTEXT" -> "PLAINTEXT";
          case "SSL" -> "SSL";
          case "SASLPLAINTEXT" -> "SASL_PLAINTEXT";
          case "SASLSSL" -> "SASL_SSL";
          default ->
              throw new IllegalArgumentException(
                  what + " protocol " + protocol + " is not supported");
        };
    boolean sasl = securityProtocol.startsWith("SASL");
    if (!"NOTSET".equals(authenticationMode) && !sasl) {
      throw new IllegalArgumentException(
          what
              + " authenticationMode "
              + authenticationMode
              + " needs protocol SASLSSL or SASLPLAINTEXT, not "
              + protocol);
    }
    if (!"NOTSET".equals(protocol)) {
      config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
    }
    if (sasl) {
      String module =
          switch (authenticationMode) {
            case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
            case "SCRAMSHA256", "SCRAMSHA512" ->
                "org.apache.kafka.common.security.scram.ScramLoginModule";
            case "NOTSET" ->
                throw new IllegalArgumentException(
                    what
                        + " protocol "
                        + protocol
                        + " needs authenticationMode PLAIN, SCRAMSHA256 or SCRAMSHA512");
            default ->
                throw new IllegalArgumentException(
                    what
                        + " authenticationMode "
                        + authenticationMode
                        + " is not supported (PLAIN, SCRAMSHA256, SCRAMSHA512 are)");
          };
      config.put(
          SaslConfigs.SASL_MECHANISM,
          switch (authenticationMode) {
            case "SCRAMSHA256" -> "SCRAM-SHA-256";
            case "SCRAMSHA512" -> "SCRAM-SHA-512";
            default -> "PLAIN";
          });
      String user = KafkaSettings.setting(username, settings, what + " username");
      String secret = KafkaSettings.setting(password, settings, what + " password");
      if (user.isEmpty() || secret.isEmpty()) {
        throw new IllegalArgumentException(
            what
                + " authenticationMode "
                + authenticationMode
                + " needs a username and a password");
      }
      config.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          module + " required username=" + quoted(user) + " password=" + quoted(secret) + ";");
    }
    String ca = file(sslCaLocation, settings, what + " sslCaLocation");
    String certificate = file(sslCertificateLocation, settings, what + " sslCertificateLocation");
    String key = file(sslKeyLocation, settings, what + " sslKeyLocation");
    if (!securityProtocol.endsWith("SSL") && (ca != null || certificate != null || key != null)) {
      throw new IllegalArgumentException(
          what
              + " has SSL file locations but protocol "
              + protocol
              + " does not use SSL (SSL or SASLSSL does)");
    }
    if (ca != null) {
      config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      config.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, ca);
    }
    if ((certificate == null) != (key == null)) {
      throw new IllegalArgumentException(
          what
              + " needs both sslCertificateLocation and sslKeyLocation for a client"
              + " certificate");
    }
    if (certificate != null) {
      config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
      config.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, certificate);
      config.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, key);
      String keyPassword =
          KafkaSettings.setting(sslKeyPassword, settings, what + " sslKeyPassword");
      if (!keyPassword.isEmpty()) {
        config.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, keyPassword);
      }
    }
    return config;
  }

  /** JAAS option value: quoted, with backslashes and quotes escaped. */
  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * The PEM text of a location attribute (null when not set); a missing file is an error naming it.
   */
  private static String file(String location, AppSettings settings, String what) {
    String path = KafkaSettings.setting(location, settings, what);
    if (path.isEmpty()) {
      return null;
    }
    Path file = Path.of(path);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(what + " '" + path + "' is not a readable file");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          what + " '" + path + "' cannot be read: " + e.getMessage(), e);
    }
  }
}
