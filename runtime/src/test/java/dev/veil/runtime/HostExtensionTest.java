package dev.veil.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.spi.InvocationListener;
import dev.veil.runtime.testext.BindingFunctions;
import dev.veil.runtime.testext.ManualTriggerProvider;
import dev.veil.runtime.testext.RecordingExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

      // the extension hears of each finished invocation, as its log line tells it
      int heard = RecordingExtension.INVOCATIONS.size(); // other tests' hosts told it theirs
      ManualTriggerProvider.fire(
              "order", new JsonObject().put("item", "a").put("quantity", 2), Map.of())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      ManualTriggerProvider.fire("order", "not an order", Map.of())
          .toCompletionStage()
          .toCompletableFuture()
          .handle((r, e) -> e)
          .get(30, TimeUnit.SECONDS);
      List<InvocationListener.Event> order =
          RecordingExtension.INVOCATIONS
              .subList(heard, RecordingExtension.INVOCATIONS.size())
              .stream()
              .filter(e -> e.function().equals("order"))
              .toList();
      assertEquals(2, order.size(), order.toString());
      assertEquals("success", order.get(0).status());
      assertNull(order.get(0).problem());
      assertEquals("bad_input", order.get(1).status());
      assertNotNull(order.get(1).problem());
      assertTrue(order.get(1).durationNanos() > 0);
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    assertEquals(stops + 1, RecordingExtension.STOPS.get());
  }
}
