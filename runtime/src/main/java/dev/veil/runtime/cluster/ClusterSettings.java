package dev.veil.runtime.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cluster configuration: host.json {@code veil.cluster} ({@code enabled}, {@code name}, {@code
 * members}, {@code port}, {@code interface}, {@code replayHttp}, {@code affinity}, {@code
 * failureDetectionSeconds}, {@code kubernetes}: properties of Hazelcast's built-in Kubernetes
 * discovery, used instead of the member list), app settings / environment {@code VEIL_CLUSTER}
 * (true/false), {@code VEIL_CLUSTER_MEMBERS} (comma separated host[:port]) and {@code
 * VEIL_CLUSTER_SECRET} (required; never written to host.json or logs).
 *
 * <p>The Hazelcast cluster name is derived from the configured name and a hash of the secret, so a
 * member started with another secret forms its own cluster instead of joining. Each member also
 * carries a random nonce and an HMAC of it under the secret as Hazelcast member attributes; {@link
 * ClusterNode} admits only members whose proof verifies.
 */
public final class ClusterSettings {
  public static final String ENABLED_SETTING = "VEIL_CLUSTER";
  public static final String MEMBERS_SETTING = "VEIL_CLUSTER_MEMBERS";
  public static final String SECRET_SETTING = "VEIL_CLUSTER_SECRET";
  static final String NONCE_ATTRIBUTE = "veil.nonce";
  static final String PROOF_ATTRIBUTE = "veil.proof";
  private static final int MIN_SECRET_LENGTH = 16;

  private final String name;
  private final byte[] secret;
  private final List<String> members;
  private final int port;
  private final String networkInterface;
  private final boolean replayHttp;
  private final boolean affinity;
  private final int failureDetectionSeconds;
  private final JsonObject kubernetes;
  private final String nonce;
  private final ClusterTls tls;

  private ClusterSettings(
      String name,
      byte[] secret,
      List<String> members,
      int port,
      String networkInterface,
      boolean replayHttp,
      boolean affinity,
      int failureDetectionSeconds,
      JsonObject kubernetes,
      ClusterTls tls) {
    this.name = name;
    this.secret = secret;
    this.members = members;
    this.port = port;
    this.networkInterface = networkInterface;
    this.replayHttp = replayHttp;
    this.affinity = affinity;
    this.failureDetectionSeconds = failureDetectionSeconds;
    this.kubernetes = kubernetes;
    this.tls = tls;
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    this.nonce = HexFormat.of().formatHex(random);
  }

  /**
   * The cluster settings, or {@code null} when the host runs stand-alone.
   *
   * @param forced {@code --cluster} on the command line
   * @param bindHost the HTTP bind address, the default interface for Hazelcast and the event bus
   */
  public static ClusterSettings from(
      HostConfig hostConfig, AppSettings settings, boolean forced, String bindHost) {
    return from(hostConfig, settings, forced, bindHost, Path.of(""));
  }

  /**
   * As {@link #from(HostConfig, AppSettings, boolean, String)}; relative {@code veil.cluster.tls}
   * files are resolved against {@code configDirectory}.
   */
  public static ClusterSettings from(
      HostConfig hostConfig,
      AppSettings settings,
      boolean forced,
      String bindHost,
      Path configDirectory) {
    JsonObject json = section(hostConfig.json());
    boolean enabled =
        forced
            || Boolean.parseBoolean(
                settings.get(ENABLED_SETTING, String.valueOf(json.getBoolean("enabled", false))));
    if (!enabled) return null;
    String secret =
        settings
            .get(SECRET_SETTING)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "cluster mode needs the app setting "
                            + SECRET_SETTING
                            + " (the same secret on every host, at least "
                            + MIN_SECRET_LENGTH
                            + " characters)"));
    if (secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException(
          SECRET_SETTING + " must be at least " + MIN_SECRET_LENGTH + " characters long");
    }
    try {
      String name = json.getString("name", "veil");
      if (name.isBlank()) throw new IllegalArgumentException("veil.cluster.name must not be blank");
      List<String> members = new ArrayList<>();
      String fromSettings = settings.get(MEMBERS_SETTING).orElse(null);
      if (fromSettings != null) {
        for (String m : fromSettings.split(",")) if (!m.isBlank()) members.add(m.strip());
      } else {
        JsonArray list = json.getJsonArray("members", new JsonArray());
        for (int i = 0; i < list.size(); i++) members.add(list.getString(i));
      }
      int port = json.getInteger("port", 5701);
      if (port < 1 || port > 65535)
        throw new IllegalArgumentException(
            "veil.cluster.port must be between 1 and 65535, got " + port);
      int failureDetection = json.getInteger("failureDetectionSeconds", 10);
      if (failureDetection < 2)
        throw new IllegalArgumentException(
            "veil.cluster.failureDetectionSeconds must be at least 2");
      String iface = json.getString("interface", bindHost.equals("0.0.0.0") ? null : bindHost);
      return new ClusterSettings(
          name,
          secret.getBytes(StandardCharsets.UTF_8),
          List.copyOf(members),
          port,
          iface,
          json.getBoolean("replayHttp", false),
          json.getBoolean("affinity", true),
          failureDetection,
          json.getJsonObject("kubernetes"),
          ClusterTls.from(json.getJsonObject("tls"), settings, configDirectory));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "host.json: a veil.cluster setting has the wrong type: " + e.getMessage(), e);
    }
  }

  /** Starts a clustered Vert.x with default options; see {@link #start(VertxOptions)}. */
  public Future<Started> start() {
    return start(new VertxOptions());
  }

  /**
   * Starts a clustered Vert.x with {@code options} whose Hazelcast member and event bus listen on
   * the configured interface only.
   */
  public Future<Started> start(VertxOptions options) {
    return ClusteredStart.start(this, options);
  }

  // Its own class, so that the JVM loads (and verifies against) Hazelcast's classes only when a
  // host
  // is clustered: a single host starts faster without them.
  private static final class ClusteredStart {
    static Future<Started> start(ClusterSettings settings, VertxOptions options) {
      HazelcastClusterManager manager = new HazelcastClusterManager(settings.hazelcastConfig());
      EventBusOptions eventBus = new EventBusOptions().setPort(0);
      if (settings.networkInterface != null)
        eventBus.setHost(settings.networkInterface).setClusterPublicHost(settings.networkInterface);
      if (settings.tls != null) settings.tls.apply(eventBus);
      return Vertx.builder()
          .with(new VertxOptions(options).setEventBusOptions(eventBus))
          .withClusterManager(manager)
          .buildClustered()
          .map(v -> new Started(v, manager));
    }
  }

  /** A clustered Vert.x and its cluster manager. */
  public record Started(Vertx vertx, HazelcastClusterManager manager) {}

  Config hazelcastConfig() {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(hazelcastClusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty(
        "hazelcast.shutdownhook.enabled", "false"); // Veil's own shutdown hook closes Vert.x first
    // A crashed host is declared gone after this many seconds without heartbeat (Hazelcast's
    // default is 60).
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Integer.toString(failureDetectionSeconds));
    // Members that started at the same moment can form separate clusters; Hazelcast merges them
    // only after its split-brain check first runs (300 s by default), far too late for a host.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    if (networkInterface != null) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).addInterface(networkInterface);
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (kubernetes != null) { // e.g. {"service-dns": "veil-hazelcast.default.svc.cluster.local"}
      join.getKubernetesConfig().setEnabled(true);
      kubernetes.forEach(
          e -> join.getKubernetesConfig().setProperty(e.getKey(), String.valueOf(e.getValue())));
    } else {
      join.getTcpIpConfig()
          .setEnabled(true)
          .setMembers(members.isEmpty() ? List.of(hostOf()) : members);
    }
    config.getMemberAttributeConfig().setAttribute(NONCE_ATTRIBUTE, nonce);
    config.getMemberAttributeConfig().setAttribute(PROOF_ATTRIBUTE, proof(nonce));
    return config;
  }

  private String hostOf() {
    return (networkInterface != null ? networkInterface : "127.0.0.1") + ":" + port;
  }

  /**
   * {@code <name>-<first 16 hex digits of SHA-256(name, secret)>}: other secrets land in other
   * clusters.
   */
  String hazelcastClusterName() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(name.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(secret);
      return name + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** HMAC-SHA256 of a member's nonce under the secret. */
  String proof(String memberNonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(memberNonce.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a member's attributes prove it knows the secret (constant-time compare). */
  boolean admits(String memberNonce, String memberProof) {
    if (memberNonce == null || memberProof == null) return false;
    return MessageDigest.isEqual(
        proof(memberNonce).getBytes(StandardCharsets.US_ASCII),
        memberProof.getBytes(StandardCharsets.US_ASCII));
  }

  public boolean replayHttp() {
    return replayHttp;
  }

  public boolean affinity() {
    return affinity;
  }

  public String name() {
    return name;
  }

  private static JsonObject section(JsonObject hostJson) {
    Object veil = hostJson.getValue("veil");
    if (!(veil instanceof JsonObject v)) return new JsonObject();
    Object cluster = v.getValue("cluster");
    if (cluster == null) return new JsonObject();
    if (cluster instanceof JsonObject c) return c;
    throw new IllegalArgumentException("host.json: 'veil.cluster' must be an object");
  }
}
