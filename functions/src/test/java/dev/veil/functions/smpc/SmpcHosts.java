package dev.veil.functions.smpc;

import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.ClusterAdmin;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The three roles of secure serving as three Veil host processes on loopback: the crypto provider
 * and the two compute parties, each reading its own folder of model shares.
 */
final class SmpcHosts implements AutoCloseable {
  /** One key per link, each given only to the link's two ends. */
  static final Map<String, String> LINK_KEYS =
      Map.of(
          SessionKeys.PARTIES,
          "smpc-test-parties-key-0123456789",
          SessionKeys.PARTY0_PROVIDER,
          "smpc-test-party0-provider-key-0123",
          SessionKeys.PARTY1_PROVIDER,
          "smpc-test-party1-provider-key-0123");

  private static final Map<String, String> LINK_SETTINGS =
      Map.of(
          SessionKeys.PARTIES,
          SmpcSettings.PARTIES_KEY,
          SessionKeys.PARTY0_PROVIDER,
          SmpcSettings.PARTY0_PROVIDER_KEY,
          SessionKeys.PARTY1_PROVIDER,
          SmpcSettings.PARTY1_PROVIDER_KEY);
  static final String HOST_KEY = "smpc-test-host-key";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Host(String name, ChildProcess process, int port, String scheme) {
    URI api(String path) {
      return URI.create(scheme + "://127.0.0.1:" + port + "/api/" + path);
    }

    URI base() {
      return URI.create(scheme + "://127.0.0.1:" + port + "/api");
    }
  }

  /**
   * Mutual TLS for every role: each host serves HTTPS requiring client certificates from {@code
   * ca}, presents {@code certificates.get(role)} (chain and key files) when it calls the other
   * roles, and trusts only {@code ca}; {@code client} is what the test itself connects with.
   */
  record Tls(Path ca, Map<String, Path[]> certificates, HttpClient client) {}

  static final String MASTER_KEY = "smpc-test-master-key";
  private static final String CLUSTER_SECRET = "smpc-test-cluster-secret-0123456789";

  /** Hazelcast ports when the three hosts are members of one Veil cluster, else empty. */
  private final List<Integer> clusterPorts = new ArrayList<>();

  final Host provider;
  final Host party0;
  final Host party1;

  /** Starts the three hosts (in parallel) and waits until each answers /health/ready. */
  SmpcHosts(
      Path dir, Path shares0, Path shares1, Path masks, Duration timeout, List<String> jvmOptions) {
    this(dir, shares0, shares1, masks, timeout, jvmOptions, null);
  }

  /** The same over mutual TLS when {@code tls} is not null. */
  SmpcHosts(
      Path dir,
      Path shares0,
      Path shares1,
      Path masks,
      Duration timeout,
      List<String> jvmOptions,
      Tls tls) {
    this(dir, shares0, shares1, masks, timeout, jvmOptions, tls, false);
  }

  /** The same as members of one Veil cluster when {@code cluster} is true. */
  SmpcHosts(
      Path dir,
      Path shares0,
      Path shares1,
      Path masks,
      Duration timeout,
      List<String> jvmOptions,
      Tls tls,
      boolean cluster) {
    if (cluster) {
      for (int i = 0; i < 3; i++) clusterPorts.add(FreePorts.next());
    }
    int pp = FreePorts.next(), p0 = FreePorts.next(), p1 = FreePorts.next();
    String scheme = tls == null ? "http" : "https";
    String providerUrl = scheme + "://127.0.0.1:" + pp + "/api";
    provider =
        start(
            dir,
            "provider",
            pp,
            Map.of("VEIL_SMPC_ROLE", "provider", "VEIL_SMPC_MODELS", masks.toString()),
            timeout,
            jvmOptions,
            tls);
    party0 =
        start(
            dir,
            "party0",
            p0,
            Map.of(
                "VEIL_SMPC_ROLE",
                "party0",
                "VEIL_SMPC_MODELS",
                shares0.toString(),
                "VEIL_SMPC_PEER_URL",
                scheme + "://127.0.0.1:" + p1 + "/api",
                "VEIL_SMPC_PROVIDER_URL",
                providerUrl),
            timeout,
            jvmOptions,
            tls);
    party1 =
        start(
            dir,
            "party1",
            p1,
            Map.of(
                "VEIL_SMPC_ROLE",
                "party1",
                "VEIL_SMPC_MODELS",
                shares1.toString(),
                "VEIL_SMPC_PEER_URL",
                scheme + "://127.0.0.1:" + p0 + "/api",
                "VEIL_SMPC_PROVIDER_URL",
                providerUrl),
            timeout,
            jvmOptions,
            tls);
    HttpClient http = tls == null ? HTTP : tls.client();
    for (Host h : List.of(provider, party0, party1)) {
      Waits.until(
          () -> ready(h, http),
          Duration.ofMinutes(cluster ? 4 : 2),
          h.name() + " to be ready; its log:\n" + h.process().tail());
    }
    if (cluster) {
      for (Host h : List.of(provider, party0, party1)) {
        ClusterAdmin.awaitMembers(
            http,
            URI.create(h.scheme() + "://127.0.0.1:" + h.port()),
            MASTER_KEY,
            3,
            Duration.ofMinutes(2),
            h.process()::isAlive,
            () -> h.process().tail());
      }
    }
  }

  /**
   * The model owner's step: shares each bundled model into {@code dir}/shares0, shares1 and masks.
   */
  static void shareModels(Path dir, String... models) {
    for (String model : models) {
      int code =
          new SmpcCli()
              .run(
                  List.of(
                      "share-model",
                      "--model",
                      model,
                      "--party0",
                      dir.resolve("shares0").toString(),
                      "--party1",
                      dir.resolve("shares1").toString(),
                      "--provider",
                      dir.resolve("masks").toString()),
                  new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                  System.err);
      if (code != 0) throw new AssertionError("share-model " + model + " exited with " + code);
    }
  }

  private Host start(
      Path dir,
      String name,
      int port,
      Map<String, String> role,
      Duration timeout,
      List<String> jvmOptions,
      Tls tls) {
    Path config = dir.resolve(name);
    Map<String, String> env = new HashMap<>(role);
    List<String> args =
        new ArrayList<>(
            List.of(
                "start",
                "--port",
                Integer.toString(port),
                "--config",
                config.toString(),
                "--data",
                config.resolve("data").toString(),
                "--scan",
                "dev.veil.functions.smpc"));
    List<String> jvm = new ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC"));
    if (!clusterPorts.isEmpty()) {
      int index = List.of("provider", "party0", "party1").indexOf(name);
      try {
        java.nio.file.Files.createDirectories(config);
        java.nio.file.Files.writeString(
            config.resolve("host.json"),
            "{\"version\": \"2.0\", \"veil\": {\"cluster\": {\"port\": "
                + clusterPorts.get(index)
                + "}}}");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      args.add("--cluster");
      env.put("VEIL_CLUSTER_SECRET", CLUSTER_SECRET);
      env.put(
          "VEIL_CLUSTER_MEMBERS",
          String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList()));
      env.put("VEIL_MASTER_KEY", MASTER_KEY);
      jvm.add("-Dhazelcast.wait.seconds.before.join=1");
    }
    if (tls != null) {
      // the host's listener: HTTPS requiring a client certificate from the CA; the role's own calls
      // present the same
      // certificate (VEIL_SMPC_TLS_* default to these)
      env.put("VEIL_TLS_CERTIFICATE_FILE", tls.certificates().get(name)[0].toString());
      env.put("VEIL_TLS_KEY_FILE", tls.certificates().get(name)[1].toString());
      env.put("VEIL_TLS_CLIENT_CA_FILE", tls.ca().toString());
    }
    LINK_KEYS.forEach(
        (link, key) -> {
          if (link.contains(name)) {
            env.put(LINK_SETTINGS.get(link), key);
          }
        });
    env.put("VEIL_SMPC_TIMEOUT_MS", Long.toString(timeout.toMillis()));
    env.put("VEIL_HOST_KEY", HOST_KEY);
    env.put("VEIL_LOG_LEVEL", clusterPorts.isEmpty() ? "WARN" : "INFO");
    jvm.addAll(jvmOptions);
    ChildProcess process =
        ChildProcess.java(
            name, "dev.veil.runtime.Main", jvm, env, args, dir.resolve(name + ".log"));
    return new Host(name, process, port, tls == null ? "http" : "https");
  }

  private static boolean ready(Host h, HttpClient http) {
    if (!h.process().isAlive()) {
      throw new AssertionError(h.name() + " exited:\n" + h.process().tail());
    }
    try {
      return http.send(
                  HttpRequest.newBuilder(
                          URI.create(h.scheme() + "://127.0.0.1:" + h.port() + "/health/ready"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception e) {
      return false;
    }
  }

  static HttpResponse<String> post(
      URI uri, String contentType, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .header("content-type", contentType)
            .header("x-functions-key", HOST_KEY)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(URI uri) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("x-functions-key", HOST_KEY)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    for (Host h : List.of(party0, party1, provider)) {
      if (h.process().isAlive()) {
        h.process().stop(Duration.ofSeconds(20));
      }
    }
  }
}
