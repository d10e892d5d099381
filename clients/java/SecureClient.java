import java.io.ByteArrayInputStream;
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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Calls a Veil function over HTTPS, first with a function key, then with a bearer token: the shape of the
 * Brainwave and Azure ML clients. JDK only, run from source:
 *
 * <pre>
 * java clients/java/SecureClient.java --url https://localhost:7071 --cacert ca.pem --function scores \
 *     --master-key "$MASTER" [--token "$(veil token issue --sub me --aud api://veil --ttl 15m)"]
 * </pre>
 *
 * With {@code --master-key} the function's {@code default} key is read from the key management API; pass
 * {@code --key} instead to use a key you already have. {@code --cacert} trusts a private CA (the JDK's
 * trust store is used without it).
 */
public final class SecureClient {
  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
    String url = o.getOrDefault("--url", "https://localhost:7071").replaceAll("/+$", "");
    String function = o.get("--function");
    if (function == null) throw new IllegalArgumentException("--function is required");
    String path = o.getOrDefault("--path", "/api/" + function);
    HttpClient client = client(o.get("--cacert"));

    String key = o.get("--key");
    if (key == null && o.containsKey("--master-key")) {
      HttpResponse<String> keyReply = client.send(HttpRequest.newBuilder(URI.create(url + "/admin/functions/"
          + URLEncoder.encode(function, StandardCharsets.UTF_8) + "/keys/default"))
          .header("x-functions-key", o.get("--master-key")).build(), HttpResponse.BodyHandlers.ofString());
      if (keyReply.statusCode() != 200) throw new IllegalStateException("key API: HTTP " + keyReply.statusCode() + " " + keyReply.body());
      key = jsonString(keyReply.body(), "value");
    }
    if (key != null) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + path)).header("x-functions-key", key).build(),
          HttpResponse.BodyHandlers.ofString());
      System.out.println("key: " + r.statusCode() + " " + r.version() + " " + r.body());
    }
    if (o.containsKey("--token")) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + path))
          .header("Authorization", "Bearer " + o.get("--token")).build(), HttpResponse.BodyHandlers.ofString());
      System.out.println("token: " + r.statusCode() + " " + r.version() + " " + r.body()
          + r.headers().firstValue("www-authenticate").map(c -> " (" + c + ")").orElse(""));
    }
  }

  /** An HTTP/2-capable client that trusts the certificates in {@code caFile}, if given. */
  static HttpClient client(String caFile) throws Exception {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caFile != null) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(caFile))))) {
        trust.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      builder.sslContext(tls);
    }
    return builder.build();
  }

  /** One string field of a flat JSON object (keeps the example free of libraries). */
  static String jsonString(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) throw new IllegalStateException("no " + field + " in " + json);
    return m.group(1);
  }
}
