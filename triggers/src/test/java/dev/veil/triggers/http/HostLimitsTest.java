package dev.veil.triggers.http;

import static dev.veil.triggers.http.Http.get;
import static dev.veil.triggers.http.Http.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrency limit, function timeout and graceful shutdown, each on a host with one worker thread.
 */
class HostLimitsTest {
  @TempDir Path data;

  @BeforeEach
  void reset() {
    BlockingFunctions.ENTERED.drainPermits();
    BlockingFunctions.release = new CountDownLatch(1);
  }

  private VeilHost startHost() throws Exception {
    JsonObject hostJson =
        new JsonObject()
            .put("functionTimeout", "00:00:01")
            .put(
                "veil",
                new JsonObject()
                    .put("workerPoolSize", 1)
                    .put("maxQueuedInvocations", 0)
                    .put("shutdownTimeout", "00:00:30"));
    return Http.start(
        new HostOptions()
            .port(0)
            .dataDirectory(data)
            .functionClass(BlockingFunctions.class)
            .hostJson(hostJson));
  }

  @Test
  void answers429WhenThePoolIsFull() throws Exception {
    VeilHost host = startHost();
    try {
      CompletableFuture<HttpResponse<String>> first = Http.getAsync(host, "/api/block");
      assertTrue(
          BlockingFunctions.ENTERED.tryAcquire(30, TimeUnit.SECONDS), "the first call started");
      HttpResponse<String> rejected = get(host, "/api/quick");
      assertEquals(429, rejected.statusCode());
      assertEquals("1", rejected.headers().firstValue("retry-after").orElseThrow());
      assertTrue(json(rejected).getString("error").contains("limit"));
      BlockingFunctions.release.countDown();
      assertEquals("released", first.get(30, TimeUnit.SECONDS).body());
      assertEquals(
          "quick",
          get(host, "/api/quick").body(),
          "capacity is back after the first call finished");
      assertTrue(get(host, "/metrics").body().contains("status=\"over_capacity\""));
    } finally {
      BlockingFunctions.release.countDown();
      Http.await(host.close());
    }
  }

  @Test
  void functionRunningPastTheTimeoutIs504AndFreesTheWorker() throws Exception {
    VeilHost host = startHost();
    try {
      HttpResponse<String> response = get(host, "/api/sleepForever");
      assertEquals(504, response.statusCode());
      assertTrue(json(response).containsKey("invocationId"));
      assertEquals("quick", get(host, "/api/quick").body(), "the interrupted worker took new work");
    } finally {
      Http.await(host.close());
    }
  }

  @Test
  void gracefulShutdownFinishesInFlightAndRefusesNewWork() throws Exception {
    VeilHost host = startHost();
    int port = host.port();
    CompletableFuture<HttpResponse<String>> inFlight = Http.getAsync(host, "/api/block");
    assertTrue(BlockingFunctions.ENTERED.tryAcquire(30, TimeUnit.SECONDS), "the call started");

    Future<Void> closed = host.close();
    HttpResponse<String> refused = get(host, "/api/quick");
    assertEquals(503, refused.statusCode());
    assertTrue(json(refused).getString("error").contains("shutting down"));
    assertEquals(503, get(host, "/health/ready").statusCode());
    assertEquals(200, get(host, "/health/live").statusCode());
    assertFalse(closed.isComplete(), "the host waits for the in-flight call");

    BlockingFunctions.release.countDown();
    HttpResponse<String> finished = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, finished.statusCode());
    assertEquals("released", finished.body());
    Http.await(closed);
    assertTrue(closed.succeeded());
    assertThrows(
        IOException.class,
        () -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
          }
        },
        "the port is closed after shutdown");
  }
}
