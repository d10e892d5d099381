package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * host.json extensions.http.maxConcurrentRequests / maxOutstandingRequests as the Azure host
 * applies them.
 */
class HttpThrottleTest {

  @Test
  void beyondTheConcurrencyLimitRequestsWaitAndBeyondTheOutstandingLimitTheyGet429(
      @TempDir Path data) throws Exception {
    JsonObject hostJson =
        new JsonObject()
            .put(
                "extensions",
                new JsonObject()
                    .put(
                        "http",
                        new JsonObject()
                            .put("maxConcurrentRequests", 2)
                            .put("maxOutstandingRequests", 3)))
            .put("veil", new JsonObject().put("workerPoolSize", 8));
    VeilHost host =
        Http.start(
            new HostOptions()
                .port(0)
                .dataDirectory(data)
                .functionClass(ThrottledFunctions.class)
                .hostJson(hostJson));
    try {
      List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
      for (int i = 0; i < 2; i++) running.add(Http.getAsync(host, "/api/held"));
      assertTrue(
          ThrottledFunctions.ENTERED.tryAcquire(2, 30, TimeUnit.SECONDS), "two requests run");
      // two more: one waits (outstanding = 3), the other is over the outstanding limit and answered
      // at once
      CompletableFuture<HttpResponse<String>> third = Http.getAsync(host, "/api/held");
      CompletableFuture<HttpResponse<String>> fourth = Http.getAsync(host, "/api/held");
      HttpResponse<String> refused =
          (HttpResponse<String>) CompletableFuture.anyOf(third, fourth).get(30, TimeUnit.SECONDS);
      assertEquals(429, refused.statusCode(), refused.body());
      assertTrue(
          refused
              .body()
              .contains(
                  "limit of 3 outstanding HTTP requests (host.json extensions.http.maxOutstandingRequests)"),
          refused.body());
      assertEquals("1", refused.headers().firstValue("retry-after").orElse(null));
      CompletableFuture<HttpResponse<String>> waiting =
          refused == third.getNow(null) ? fourth : third;

      ThrottledFunctions.RELEASE.countDown();
      for (CompletableFuture<HttpResponse<String>> r :
          List.of(running.get(0), running.get(1), waiting)) {
        HttpResponse<String> answer = r.get(30, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("released", answer.body());
      }
      assertEquals(
          2,
          ThrottledFunctions.MOST_AT_ONCE.get(),
          "never more than maxConcurrentRequests at once");
      assertEquals(
          1,
          ThrottledFunctions.ENTERED.availablePermits(),
          "the waiting request ran once a slot was free");
      // with the slots free again, a request runs at once
      assertEquals(200, Http.get(host, "/api/held").statusCode());
    } finally {
      ThrottledFunctions.RELEASE.countDown();
      Http.await(host.close());
    }
  }

  @Test
  void aLimitThatIsNotAPositiveIntegerOrMinusOneStopsTheStart(@TempDir Path data) {
    JsonObject hostJson =
        new JsonObject()
            .put(
                "extensions",
                new JsonObject().put("http", new JsonObject().put("maxOutstandingRequests", 0)));
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                VeilHost.start(
                        new HostOptions()
                            .port(0)
                            .dataDirectory(data)
                            .functionClass(ThrottledFunctions.class)
                            .hostJson(hostJson))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS));
    assertTrue(
        e.getCause()
            .getMessage()
            .contains("extensions.http.maxOutstandingRequests must be a positive integer or -1"),
        e.getCause().getMessage());
  }
}
