package dev.veil.dashboard;

import dev.veil.functions.batch.BatchRunFunctions;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Veil host with the dashboard (found on the class path, as in veil.jar), the traffic
 * functions and the batch service on a local storage folder.
 */
final class DashboardHost {
  static final HttpClient HTTP =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private DashboardHost() {}

  static VeilHost start(Path dir, JsonObject dashboard, Class<?>... functions) throws Exception {
    return start(dir, dashboard, Map.of(), functions);
  }

  /** As above, with more app settings. */
  static VeilHost start(
      Path dir, JsonObject dashboard, Map<String, String> settings, Class<?>... functions)
      throws Exception {
    HostOptions options =
        new HostOptions()
            .port(0)
            .dataDirectory(dir.resolve("data"))
            .configDirectory(dir)
            .functionClass(TrafficFunctions.class)
            .functionClass(BatchRunFunctions.class)
            .setting("AzureWebJobsStorage", BlobStores.folder(dir.resolve("store")))
            .hostJson(new JsonObject().put("veil", new JsonObject().put("dashboard", dashboard)));
    for (Class<?> f : functions) options.functionClass(f);
    settings.forEach(options::setting);
    return VeilHost.start(options)
        .toCompletionStage()
        .toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
  }

  static void stop(VeilHost host) throws Exception {
    if (host != null)
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static String url(VeilHost host) {
    return "http://127.0.0.1:" + host.port();
  }

  static HttpResponse<String> send(
      VeilHost host, String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(host) + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) b.headers(headers);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A CSV of {@code rows} breast-cancer-shaped rows in the batch service's input container. */
  static void batchInput(Path dir, String name, int rows) throws Exception {
    BreastCancerModel bc = BreastCancerModel.bundled();
    StringBuilder text = new StringBuilder(String.join(",", bc.featureNames())).append('\n');
    for (int r = 0; r < rows; r++) {
      StringBuilder row = new StringBuilder();
      for (int c = 0; c < bc.featureNames().size(); c++) {
        if (c > 0) row.append(',');
        row.append(1 + (r * 7 + c) % 13);
      }
      text.append(row).append('\n');
    }
    try (BlobStore store =
        BlobStores.connect(
            BlobStores.folder(dir.resolve("store")), AzureBlobStore.Options.DEFAULT)) {
      store.write("batch-input", name, text.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
