package dev.veil.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.InvocationResult;
import dev.veil.runtime.testext.BindingFunctions;
import dev.veil.runtime.testext.ManualTriggerProvider;
import dev.veil.runtime.testext.MemoryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The invoker's binding pipeline through the SPI, with a test trigger and test bindings found by
 * ServiceLoader.
 */
class BindingPipelineTest {
  @TempDir static Path data;
  static VeilHost host;

  @BeforeAll
  static void start() throws Exception {
    host =
        await(
            VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(BindingFunctions.class)
                    .setting("AUDIT_PREFIX", "log")));
  }

  @AfterAll
  static void stop() throws Exception {
    await(host.close());
  }

  @Test
  void bindsInputsOutputsReturnValueAndExpressions() throws Exception {
    MemoryStore.ENTRIES.put("sources/a", "src".getBytes(StandardCharsets.UTF_8));
    InvocationResult result =
        await(ManualTriggerProvider.fire("copy", "payload", Map.of("name", "a")));
    assertEquals("src+payload", result.returnValue());
    assertEquals(1, result.attempts());
    assertEquals("src+payload", MemoryStore.ENTRIES.get("copies/a"));
    assertEquals(List.of("payload", "copy"), MemoryStore.ENTRIES.get("audit/log-a"));
  }

  @Test
  void missingInputIsBadInputNamingThePath() {
    InvocationFailure failure =
        failure(ManualTriggerProvider.fire("copy", "payload", Map.of("name", "missing")));
    assertEquals(InvocationFailure.Kind.BAD_INPUT, failure.kind());
    assertEquals("no entry at sources/missing", failure.getMessage());
    assertTrue(failure.invocationId() != null);
  }

  @Test
  void missingBindingDataIsBadInput() {
    InvocationFailure failure = failure(ManualTriggerProvider.fire("copy", "payload", Map.of()));
    assertEquals(InvocationFailure.Kind.BAD_INPUT, failure.kind());
    assertTrue(failure.getMessage().contains("{name}"), failure.getMessage());
  }

  @Test
  void pojoTriggerPayloadFromJson() throws Exception {
    assertEquals(
        6,
        await(ManualTriggerProvider.fire("order", "{\"item\":\"pen\",\"quantity\":3}", Map.of()))
            .returnValue());
    InvocationFailure failure =
        failure(ManualTriggerProvider.fire("order", "{\"item\":", Map.of()));
    assertEquals(InvocationFailure.Kind.BAD_INPUT, failure.kind());
    assertTrue(failure.getMessage().contains("not valid JSON for Order"), failure.getMessage());
  }

  @Test
  void unknownFunctionIsNotFound() {
    assertEquals(
        InvocationFailure.Kind.NOT_FOUND,
        failure(ManualTriggerProvider.fire("nope", "", Map.of())).kind());
  }

  @Test
  void functionsThatCannotRunAreDisabledWithAReason() throws Exception {
    Map<String, String> disabled = host.disabledFunctions();
    assertEquals("no trigger provider for @TimerTrigger on the classpath", disabled.get("timer"));
    assertEquals("parameter 'mystery' has no binding annotation", disabled.get("unbindable"));
    assertEquals(2, disabled.size());

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + host.port() + "/admin/functions"))
                    .header("x-functions-key", host.keys().masterKey())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    JsonArray functions = new JsonArray(response.body());
    assertEquals(4, functions.size());
    JsonObject timer =
        functions.stream()
            .map(JsonObject.class::cast)
            .filter(f -> f.getString("name").equals("timer"))
            .findFirst()
            .orElseThrow();
    assertEquals("disabled", timer.getString("status"));
    assertEquals("TimerTrigger", timer.getString("trigger"));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static InvocationFailure failure(Future<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(future));
    return assertInstanceOf(InvocationFailure.class, e.getCause());
  }
}
