package dev.veil.runtime.host.auth;

import dev.veil.runtime.spi.CliCommand;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code veil keys list|set|rotate|delete}: the key management API of a running host, from the
 * command line. The master key comes from {@code --master-key}, the {@value
 * AccessKeys#MASTER_KEY_SETTING} environment variable or the host's {@code keys.json} ({@code
 * --data}, default {@code .veil}).
 */
public final class KeysCli implements CliCommand {
  private static final String USAGE =
      "veil keys list|set NAME VALUE|rotate NAME|delete NAME [--function NAME] "
          + "[--url https://host:port] [--cacert CA.pem] [--master-key KEY] [--data DIR]";

  @Override
  public String name() {
    return "keys";
  }

  @Override
  public String usage() {
    return USAGE;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    Request request;
    try {
      request = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      err.println("veil keys: " + e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    try {
      HttpClient client = client(request.caFile());
      HttpResponse<String> response =
          client.send(request.http(), HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      if (status == 204) {
        out.println("deleted " + request.keyName());
        return 0;
      }
      if (status >= 300) {
        err.println("veil keys: the host answered " + status + ": " + response.body());
        return 1;
      }
      JsonObject body = new JsonObject(response.body());
      if (body.containsKey("keys")) {
        body.getJsonArray("keys")
            .forEach(
                k ->
                    out.println(
                        ((JsonObject) k).getString("name")
                            + "\t"
                            + ((JsonObject) k).getString("value")));
      } else {
        out.println(body.getString("name") + "\t" + body.getString("value"));
      }
      return 0;
    } catch (Exception e) {
      err.println("veil keys: " + e.getMessage());
      return 1;
    }
  }

  record Request(HttpRequest http, String keyName, Path caFile) {}

  static Request parse(List<String> args, Map<String, String> env) {
    if (args.isEmpty())
      throw new IllegalArgumentException("name an action: list, set, rotate or delete");
    Map<String, String> options = new HashMap<>();
    List<String> positional = new java.util.ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--")) {
        if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
        if (!List.of("--function", "--url", "--cacert", "--master-key", "--data").contains(a)) {
          throw new IllegalArgumentException("unknown option '" + a + "'");
        }
        options.put(a, args.get(++i));
      } else {
        positional.add(a);
      }
    }
    String action = positional.get(0);
    int expected =
        switch (action) {
          case "list" -> 1;
          case "rotate", "delete" -> 2;
          case "set" -> 3;
          default ->
              throw new IllegalArgumentException(
                  "unknown action '" + action + "' (list, set, rotate or delete)");
        };
    if (positional.size() != expected)
      throw new IllegalArgumentException(action + " takes " + (expected - 1) + " argument(s)");
    String function = options.get("--function");
    String path =
        function == null
            ? "/admin/host/keys"
            : "/admin/functions/" + URLEncoder.encode(function, StandardCharsets.UTF_8) + "/keys";
    String keyName = expected > 1 ? positional.get(1) : null;
    if (keyName != null) path += "/" + URLEncoder.encode(keyName, StandardCharsets.UTF_8);
    String url = options.getOrDefault("--url", "http://127.0.0.1:7071").replaceAll("/+$", "");
    HttpRequest.Builder http =
        HttpRequest.newBuilder(URI.create(url + path))
            .timeout(Duration.ofSeconds(30))
            .header("x-functions-key", masterKey(options, env));
    switch (action) {
      case "list" -> http.GET();
      case "rotate" -> http.POST(HttpRequest.BodyPublishers.noBody());
      case "delete" -> http.DELETE();
      default ->
          http.header("content-type", "application/json")
              .PUT(
                  HttpRequest.BodyPublishers.ofString(
                      new JsonObject()
                          .put("name", keyName)
                          .put("value", positional.get(2))
                          .encode()));
    }
    return new Request(
        http.build(),
        keyName,
        options.containsKey("--cacert") ? Path.of(options.get("--cacert")) : null);
  }

  private static String masterKey(Map<String, String> options, Map<String, String> env) {
    if (options.containsKey("--master-key")) return options.get("--master-key");
    if (env.get(AccessKeys.MASTER_KEY_SETTING) != null)
      return env.get(AccessKeys.MASTER_KEY_SETTING);
    Path file = Path.of(options.getOrDefault("--data", ".veil")).resolve("keys.json");
    try {
      return new JsonObject(Files.readString(file)).getString("masterKey");
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "no master key: pass --master-key, set "
              + AccessKeys.MASTER_KEY_SETTING
              + " or point --data at the host's data folder ("
              + file
              + ": "
              + e.getMessage()
              + ")");
    }
  }

  /** A client that also trusts the certificates in {@code caFile} (a host with a private CA). */
  static HttpClient client(Path caFile) throws Exception {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caFile != null) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(caFile)))) {
        trust.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      builder.sslContext(context);
    }
    return builder.build();
  }
}
