package dev.veil.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.veil.runtime.testext.BindingFunctions;
import dev.veil.runtime.testext.RecordingExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host extensions found by ServiceLoader start with the host, serve on its router and stop with it.
 */
class HostExtensionTest {
  @TempDir Path data;

  @Test
  void extensionServesOnTheHostsRouterAndStopsWithIt() throws Exception {
    int starts = RecordingExtension.STARTS.get();
    int stops = RecordingExtension.STOPS.get();
    VeilHost host =
        VeilHost.start(
                new HostOptions().port(0).dataDirectory(data).functionClass(BindingFunctions.class))
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    try {
      assertEquals(starts + 1, RecordingExtension.STARTS.get());
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + host.port() + "/_test/extension"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, res.statusCode());
      assertEquals(
          new JsonObject().put("servesTls", false).put("functions", true),
          new JsonObject(res.body()));
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    assertEquals(stops + 1, RecordingExtension.STOPS.get());
  }
}
