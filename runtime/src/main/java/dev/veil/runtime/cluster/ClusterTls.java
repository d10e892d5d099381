package dev.veil.runtime.cluster;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.tls.PemCredentials;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * TLS with mutual authentication on the clustered event bus (invocations forwarded between members,
 * replies, broadcasts such as key changes, accelerator work): host.json {@code veil.cluster.tls}
 * with {@code certificate} and {@code key} (this member's PEM chain and key) and {@code
 * certificateAuthorities} (the cluster CA bundle); or app settings {@value #CERTIFICATE_SETTING},
 * {@value #KEY_SETTING}, {@value #CA_SETTING}. A member whose certificate the cluster CA did not
 * sign cannot exchange event bus messages with the others. Hazelcast's own membership channel is
 * not covered (see the README).
 */
public record ClusterTls(PemCredentials credentials) {
  public static final String CERTIFICATE_SETTING = "VEIL_CLUSTER_TLS_CERTIFICATE_FILE";
  public static final String KEY_SETTING = "VEIL_CLUSTER_TLS_KEY_FILE";
  public static final String CA_SETTING = "VEIL_CLUSTER_TLS_CA_FILE";

  /**
   * The event bus TLS settings, or {@code null} when none are configured; blocking (reads the
   * files).
   */
  static ClusterTls from(JsonObject tls, AppSettings settings, Path configDirectory) {
    JsonObject json = tls != null ? tls : new JsonObject();
    String certificate = settings.get(CERTIFICATE_SETTING).orElse(json.getString("certificate"));
    String key = settings.get(KEY_SETTING).orElse(json.getString("key"));
    String ca = settings.get(CA_SETTING).orElse(json.getString("certificateAuthorities"));
    if (certificate == null && key == null && ca == null) return null;
    if (certificate == null || key == null || ca == null) {
      throw new IllegalArgumentException(
          "veil.cluster.tls needs certificate, key and certificateAuthorities (the cluster CA)");
    }
    return new ClusterTls(
        PemCredentials.load(
            configDirectory.resolve(certificate),
            configDirectory.resolve(key),
            configDirectory.resolve(ca),
            Instant.now()));
  }

  /**
   * TLS 1.2/1.3 on the event bus, this member's certificate, and only peers signed by the cluster
   * CA.
   */
  void apply(EventBusOptions eventBus) {
    eventBus
        .setSsl(true)
        .setKeyCertOptions(
            new PemKeyCertOptions()
                .setCertValue(credentials.chain())
                .setKeyValue(credentials.key()))
        .setTrustOptions(new PemTrustOptions().addCertValue(credentials.clientAuthorities()))
        .setClientAuth(ClientAuth.REQUIRED)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
  }
}
