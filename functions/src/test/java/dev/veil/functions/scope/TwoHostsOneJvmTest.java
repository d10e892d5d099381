package dev.veil.functions.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.encrypted.EncryptedClient;
import dev.veil.functions.encrypted.EncryptedFunctions;
import dev.veil.functions.encrypted.EncryptedMnistFunction;
import dev.veil.functions.encrypted.KeyUploadFunctions;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts in one JVM serving the same built-in function classes keep separate app settings (key
 * folder and bundle limit), separate key caches and separate meters: nothing reaches the functions
 * through a process global.
 */
class TwoHostsOneJvmTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DOWNLOADS =
      Pattern.compile("(?m)^veil_keys_downloads_total\\{[^}]*} (\\S+)$");

  @Test
  void eachHostHasItsOwnSettingsCachesAndMeters(@TempDir Path dir) throws Exception {
    VeilHost a = start(dir.resolve("a"), "268435456");
    VeilHost b = start(dir.resolve("b"), "1000"); // too small for any key bundle
    try (EncryptedClient client =
        new EncryptedClient(JSON.readTree(get(a, "/api/encrypted-mnist/he-params").body()), null)) {
      byte[] bundle = client.keyBundle().encode();
      assertEquals(201, put(a, "shared-id", bundle).statusCode());
      HttpResponse<String> refused = put(b, "shared-id", bundle);
      assertEquals(400, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("above the limit of 1000"), refused.body());
      assertTrue(Files.exists(dir.resolve("a/keys/scope-test/shared-id")));
      assertTrue(Files.notExists(dir.resolve("b/keys/scope-test/shared-id")));

      byte[] ct = client.encrypt(List.of(MnistDigits.testSplit().images()[0]));
      assertEquals(200, post(a, ct).statusCode());
      assertEquals(404, post(b, ct).statusCode()); // b's key folder has no such bundle

      EncryptedFunctions sharedA = EncryptedFunctions.of(a.scope());
      EncryptedFunctions sharedB = EncryptedFunctions.of(b.scope());
      assertNotSame(sharedA, sharedB);
      assertEquals(List.of("scope-test/shared-id"), sharedA.keyCache().cachedRefs());
      assertEquals(List.of(), sharedB.keyCache().cachedRefs());
      assertEquals(1.0, downloads(a));
      assertEquals(0.0, downloads(b));
    } finally {
      a.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
      b.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
  }

  private static VeilHost start(Path dir, String maxBundleBytes) throws Exception {
    return VeilHost.start(
            new HostOptions()
                .port(0)
                .configDirectory(dir)
                .dataDirectory(dir.resolve("data"))
                .functionClass(EncryptedMnistFunction.class)
                .functionClass(KeyUploadFunctions.class)
                .setting(KeyStoreSettings.DIR, dir.resolve("keys").toString())
                .setting(KeyStoreSettings.MAX_BUNDLE_BYTES, maxBundleBytes))
        .toCompletionStage()
        .toCompletableFuture()
        .get(1, TimeUnit.MINUTES);
  }

  private static double downloads(VeilHost host) throws Exception {
    String metrics = get(host, "/metrics").body();
    Matcher m = DOWNLOADS.matcher(metrics);
    assertTrue(m.find(), "no veil_keys_downloads_total on /metrics");
    return Double.parseDouble(m.group(1));
  }

  private static HttpResponse<String> get(VeilHost host, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(host, path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(VeilHost host, String keyId, byte[] bundle)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                uri(host, "/api/encrypted-mnist/keys/" + keyId + "?container=scope-test"))
            .header("x-functions-key", host.keys().hostKey())
            .header("content-type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bundle))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(VeilHost host, byte[] ciphertext) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                uri(host, "/api/encrypted-mnist?container=scope-test&key_id=shared-id"))
            .header("x-functions-key", host.keys().hostKey())
            .header("content-type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ciphertext))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(VeilHost host, String path) {
    return URI.create("http://127.0.0.1:" + host.port() + path);
  }
}
