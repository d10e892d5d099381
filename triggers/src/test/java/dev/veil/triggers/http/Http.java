package dev.veil.triggers.http;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A real HTTP client for a host started in-process. */
final class Http {
  static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Http() {}

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static VeilHost start(HostOptions options) throws Exception {
    return await(VeilHost.start(options));
  }

  static HttpRequest.Builder request(VeilHost host, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + path))
        .timeout(Duration.ofSeconds(60));
  }

  static HttpResponse<String> send(HttpRequest request) throws Exception {
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(VeilHost host, String path) throws Exception {
    return CLIENT.send(request(host, path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(VeilHost host, String path, String key) throws Exception {
    return CLIENT.send(
        request(host, path).header("x-functions-key", key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(VeilHost host, String path, String body) throws Exception {
    return CLIENT.send(
        request(host, path)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static CompletableFuture<HttpResponse<String>> getAsync(VeilHost host, String path) {
    return CLIENT.sendAsync(
        request(host, path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }
}
