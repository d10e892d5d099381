package dev.veil.functions.encrypted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real Veil host per test JVM serving the encrypted functions, its key store in the shared
 * Azurite (the host reads the {@value KeyStoreSettings#CONNECTION} setting like an Azure Functions
 * connection).
 */
final class EncryptedHost {

  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  private static String url;
  private static String hostKey;
  private static VeilHost host;

  private EncryptedHost() {}

  static synchronized String url() throws Exception {
    if (url == null) {
      Path dir = Files.createTempDirectory("veil-encrypted-host-");
      host =
          VeilHost.start(
                  new HostOptions()
                      .port(0)
                      .configDirectory(dir)
                      .dataDirectory(dir.resolve("data"))
                      .setting(KeyStoreSettings.CONNECTION, Azurite.connectionString())
                      .functionClass(EncryptedMnistFunction.class)
                      .functionClass(EncryptedBreastCancerFunction.class)
                      .functionClass(KeyUploadFunctions.class))
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> host.close(), "stop-encrypted-host"));
      url = "http://127.0.0.1:" + host.port();
      hostKey = host.keys().hostKey();
    }
    return url;
  }

  /** What the host's encrypted functions share (its key cache). */
  static EncryptedFunctions shared() throws Exception {
    url();
    return EncryptedFunctions.of(host.scope());
  }

  /** A key accepted by every function of the host. */
  static String hostKey() throws Exception {
    url();
    return hostKey;
  }

  static JsonNode heParams(String function) throws Exception {
    HttpResponse<String> res =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url() + "/api/" + function + "/he-params"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) {
      throw new IllegalStateException("he-params: " + res.statusCode() + " " + res.body());
    }
    return JSON.readTree(res.body());
  }

  /** POSTs a ciphertext as application/octet-stream. */
  static HttpResponse<byte[]> post(String function, byte[] ciphertext, String query)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url() + "/api/" + function + "?" + query))
            .header("content-type", "application/octet-stream")
            .header("x-functions-key", hostKey())
            .POST(HttpRequest.BodyPublishers.ofByteArray(ciphertext))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<String> postJson(String function, String json) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url() + "/api/" + function))
            .header("content-type", "application/json")
            .header("x-functions-key", hostKey())
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
