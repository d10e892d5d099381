package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.UnixOperatingSystemMXBean;
import dev.veil.functions.breastcancer.BreastCancerFunction;
import dev.veil.functions.image.ImageFunctions;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The host against hostile clients, with the real encrypted, image and row-scoring functions: a
 * bounded fuzz of their HTTP request path (fixed seed; every answer below 500, none hanging past
 * the client's timeout), and thousands of idle sockets held while the host keeps answering.
 */
class HostileClientsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final String CONTAINER = "veil-hostile";
  private static final long SEED = 20261203L;
  private static VeilHost host;
  private static String url;
  private static EncryptedClient client;
  private static String keyId;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("veil-hostile-");
    host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .configDirectory(dir)
                    .dataDirectory(dir.resolve("data"))
                    .setting(KeyStoreSettings.CONNECTION, Azurite.connectionString())
                    .functionClass(EncryptedMnistFunction.class)
                    .functionClass(EncryptedBreastCancerFunction.class)
                    .functionClass(ImageFunctions.class)
                    .functionClass(BreastCancerFunction.class))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    url = "http://127.0.0.1:" + host.port();
    JsonNode params =
        JSON.readTree(
            send(HttpRequest.newBuilder(URI.create(url + "/api/encrypted-mnist/he-params")).GET())
                .body());
    client = new EncryptedClient(params, null);
    keyId = "fuzz-" + System.nanoTime();
    BlobKeyStore.fromConnectionString(Azurite.connectionString(), 1L << 30)
        .upload(new KeyRef(CONTAINER, keyId), client.keyBundle().encode());
  }

  @AfterAll
  static void stop() throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void fuzzedRequestsNeverGetA5xx() throws Exception {
    Random random = new Random(SEED);
    byte[] ciphertext = client.encrypt(List.of(MnistDigits.testSplit().images()[0]));
    String[] paths = {
      "/api/encrypted-mnist",
      "/api/encrypted-breast-cancer",
      "/api/classify-digit",
      "/api/classify-image",
      "/api/breast-cancer"
    };
    String[] types = {
      "application/octet-stream",
      "application/json",
      "multipart/form-data; boundary=xyz",
      "image/png",
      "text/csv",
      "text/plain; charset=utf-16",
      "",
      "application/json; charset=nonsense"
    };
    for (int i = 0; i < 250; i++) {
      String path = paths[random.nextInt(paths.length)];
      String type = types[random.nextInt(types.length)];
      byte[] body = body(random, ciphertext, type);
      String[] keyIds = {keyId, keyId, "%25zz", "%C3%28", "..%2F..%2Fx", "", "k".repeat(300)};
      String query =
          random.nextInt(3) == 0
              ? ""
              : "container=" + CONTAINER + "&key_id=" + keyIds[random.nextInt(keyIds.length)];
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url + path + "?" + query))
              .timeout(Duration.ofSeconds(60))
              .header("x-functions-key", host.keys().hostKey());
      if (!type.isEmpty()) request.header("content-type", type);
      request =
          random.nextInt(10) == 0
              ? request.GET()
              : request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
      HttpResponse<String> response = send(request);
      String what =
          "request "
              + i
              + " (seed "
              + SEED
              + "): "
              + path
              + "?"
              + query
              + " "
              + type
              + ", "
              + body.length
              + " bytes";
      assertTrue(
          response.statusCode() < 500,
          what + " got " + response.statusCode() + " " + response.body());
    }
    // the host still serves a correct request after the fuzz
    HttpResponse<String> good =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        url + "/api/encrypted-mnist?container=" + CONTAINER + "&key_id=" + keyId))
                .header("x-functions-key", host.keys().hostKey())
                .header("content-type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ciphertext)));
    assertEquals(200, good.statusCode(), good.body());
  }

  @Test
  void answersWhileThousandsOfIdleSocketsAreHeld() throws Exception {
    // Each held socket costs two descriptors in this JVM (the client's and the host's end).
    long limit =
        ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getMaxFileDescriptorCount();
    int count = (int) Math.min(2000, (limit - 2048) / 2);
    assertTrue(
        count >= 500,
        "the open-file limit " + limit + " leaves room for at least 500 idle sockets");
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0;
          i < count;
          i++) { // spread over addresses: each stays under the per-client limit (512)
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i / 400)), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", host.port()), 10_000);
        if (i % 2 == 0)
          socket
              .getOutputStream()
              .write("GET /api/encrypted-mnist/he-params HTTP/1.1\r\nHost: x\r\n".getBytes());
        idle.add(socket);
      }
      assertEquals(
          200, send(HttpRequest.newBuilder(URI.create(url + "/health/live")).GET()).statusCode());
      HttpResponse<String> encrypted =
          send(
              HttpRequest.newBuilder(
                      URI.create(
                          url + "/api/encrypted-mnist?container=" + CONTAINER + "&key_id=" + keyId))
                  .header("x-functions-key", host.keys().hostKey())
                  .header("content-type", "application/octet-stream")
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(
                          client.encrypt(List.of(MnistDigits.testSplit().images()[1])))));
      assertEquals(200, encrypted.statusCode(), encrypted.body());
      // and the held ones are closed by the host at its header timeout (10 s by default)
      Socket first = idle.get(0);
      first.setSoTimeout(60_000);
      InputStream in = first.getInputStream();
      assertEquals(-1, in.read(), "the host closed a connection that never finished its headers");
    } finally {
      for (Socket s : idle) s.close();
    }
  }

  /** A body for the fuzz: mutations of a valid ciphertext or JSON request, or noise. */
  private static byte[] body(Random random, byte[] ciphertext, String type) {
    switch (random.nextInt(6)) {
      case 0 -> {
        return new byte[0];
      }
      case 1 -> { // a valid ciphertext with flipped bytes
        byte[] b = ciphertext.clone();
        for (int k = 0, n = 1 + random.nextInt(16); k < n; k++)
          b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
        return b;
      }
      case 2 -> { // truncated or extended
        int length =
            random.nextBoolean()
                ? random.nextInt(ciphertext.length)
                : ciphertext.length + 1 + random.nextInt(64);
        byte[] b = new byte[length];
        System.arraycopy(ciphertext, 0, b, 0, Math.min(length, ciphertext.length));
        return b;
      }
      case 3 -> { // JSON with odd fields
        String data =
            random.nextBoolean()
                ? Base64.getEncoder().encodeToString(ciphertext)
                : "!!" + random.nextLong();
        Object keyField =
            random.nextBoolean() ? "\"" + keyId + "\"" : random.nextInt(3) == 0 ? "null" : "[1,2]";
        String json =
            "{\"data\":\""
                + data
                + "\",\"key_id\":"
                + keyField
                + ",\"container\":\""
                + CONTAINER
                + "\"}";
        return (random.nextBoolean() ? json : json.substring(0, random.nextInt(json.length())))
            .getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> { // rows for the scoring endpoint, some broken
        StringBuilder rows = new StringBuilder("{\"rows\":[[");
        for (int k = 0, n = random.nextInt(40); k < n; k++)
          rows.append(k == 0 ? "" : ",")
              .append(random.nextInt(7) == 0 ? "\"x\"" : random.nextGaussian());
        return rows.append(random.nextBoolean() ? "]]}" : "]")
            .toString()
            .getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        byte[] b = new byte[random.nextInt(8192)];
        random.nextBytes(b);
        if (type.startsWith("multipart") && b.length > 8)
          System.arraycopy("--xyz\r\n".getBytes(), 0, b, 0, 7);
        return b;
      }
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
