package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.FunctionName;
import dev.veil.runtime.spi.AffinityKey;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.RetryPolicy;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An HTTP invocation as it crosses to another cluster node: placement key, request and answer on
 * the wire.
 */
class RemoteHttpInvocationTest {

  public static final class Declared {
    @FunctionName("keyed")
    @AffinityKey({"header:X-Key", "query:key_id", "json:key_id"})
    public String keyed(String body) {
      return body;
    }

    @FunctionName("plain")
    public String plain(String body) {
      return body;
    }
  }

  private static FunctionDefinition function(String method) throws Exception {
    return new FunctionDefinition(
        method,
        Declared.class,
        Declared.class.getMethod(method, String.class),
        null,
        null,
        List.of(),
        List.of(),
        RetryPolicy.NONE);
  }

  private static final HostConfig NO_CONFIG = new HostConfig(new JsonObject());

  @Test
  void theKeyComesFromTheFirstDeclaredSourcePresent() throws Exception {
    AffinitySources sources = AffinitySources.of(function("keyed"), NO_CONFIG);
    byte[] json = utf8("{\"data\":{\"key_id\":\"nested\",\"x\":[1,2]},\"key_id\":\"k1\"}");
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    assertEquals(
        "k1",
        sources.find(none, Map.of(), Map.of(), json),
        "a top-level JSON field, nested ones skipped");
    assertEquals(
        "q",
        sources.find(none, Map.of("key_id", "q"), Map.of(), json),
        "the query before the body");
    assertEquals(
        "h",
        sources.find(
            MultiMap.caseInsensitiveMultiMap().add("x-key", "h"),
            Map.of("key_id", "q"),
            Map.of(),
            json),
        "the header first, its name case-insensitive");
    assertNull(sources.find(none, Map.of(), Map.of(), utf8("not json")));
    assertNull(
        sources.find(none, Map.of(), Map.of(), utf8("{\"key_id\":7}")), "only a string is a key");
    assertNull(
        AffinitySources.of(function("plain"), NO_CONFIG)
            .find(none, Map.of("key_id", "q"), Map.of(), json),
        "a function that declares no key has none");
  }

  @Test
  void hostJsonDeclaresAKeyWithoutAnnotationAndBadSourcesAreNamed() throws Exception {
    HostConfig config =
        new HostConfig(
            new JsonObject()
                .put(
                    "veil",
                    new JsonObject()
                        .put(
                            "cluster",
                            new JsonObject()
                                .put(
                                    "affinityKeys",
                                    new JsonObject()
                                        .put("plain", new JsonArray().add("route:tenant"))
                                        .put("keyed", "cookie:k")))));
    assertEquals(
        "t1",
        AffinitySources.of(function("plain"), config)
            .find(
                MultiMap.caseInsensitiveMultiMap(), Map.of(), Map.of("tenant", "t1"), new byte[0]));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> AffinitySources.of(function("keyed"), config));
    assertTrue(bad.getMessage().contains("cookie:k"), bad.getMessage());
  }

  @Test
  void aRequestCrossesWithMethodUriHeadersQueryAndBodyIntact() {
    MultiMap headers =
        MultiMap.caseInsensitiveMultiMap()
            .add("content-type", "text/plain; charset=ISO-8859-1")
            .add("x-multi", "a")
            .add("x-multi", "b");
    byte[] latin = "café".getBytes(StandardCharsets.ISO_8859_1);
    HttpInput sent =
        new HttpInput(
            "POST",
            () -> "http://h/api/echo?x=1",
            headers,
            Map.of("x", "1"),
            Map.of(),
            latin,
            true,
            AffinitySources.NONE);
    HttpInput received = HttpInput.decode(sent.encode());
    assertFalse(received.idempotent(), "POST is not replayed by default");
    VeilHttpRequest<?> request = (VeilHttpRequest<?>) received.bind(parameter());
    assertEquals("café", request.getBody(), "the text body decoded with the sender's charset");
    assertEquals("http://h/api/echo?x=1", request.getUri().toString());
    assertEquals(Map.of("x", "1"), request.getQueryParameters());
    assertEquals("a", request.getHeaders().get("X-MULTI"));
    assertTrue(
        new HttpInput(
                "GET",
                () -> "/",
                headers,
                Map.of(),
                Map.of(),
                new byte[0],
                false,
                AffinitySources.NONE)
            .idempotent());
  }

  @Test
  void anAnswerFromAnotherNodeIsTheAnswerTheFunctionGave() {
    VeilHttpResponse response =
        (VeilHttpResponse)
            new VeilHttpResponse.Builder(HttpStatus.ACCEPTED)
                .header("x-trace", "t")
                .body(Map.of("score", 3))
                .build();
    for (Object value : new Object[] {response, "text", new byte[] {1, 2}, null, Map.of("a", 1)}) {
      HttpAnswer local = HttpAnswer.of(value);
      HttpAnswer remote =
          (HttpAnswer) HttpAnswer.CODEC.decodeResult(HttpAnswer.CODEC.encodeResult(value));
      assertEquals(local.status(), remote.status());
      assertEquals(local.headers(), remote.headers());
      assertEquals(local.body(), remote.body());
    }
    HttpAnswer accepted = HttpAnswer.of(response);
    assertEquals(202, accepted.status());
    assertEquals(List.of("x-trace", "t", "content-type", "application/json"), accepted.headers());
  }

  @Test
  void theFunctionGetsTheReceivedBodyArrayOnceAndACopyAfterwards() throws Exception {
    byte[] body = utf8("a ciphertext");
    HttpInput input =
        new HttpInput(
            "POST",
            () -> "/",
            MultiMap.caseInsensitiveMultiMap(),
            Map.of(),
            Map.of(),
            body,
            false,
            AffinitySources.NONE);
    java.lang.reflect.Method m =
        RemoteHttpInvocationTest.class.getDeclaredMethod("takesBytes", byte[].class);
    var bytes =
        new dev.veil.runtime.spi.FunctionParameter(
            0, "body", m.getGenericParameterTypes()[0], List.of());
    assertSame(body, input.bind(bytes), "no copy on the way to the function");
    Object again = input.bind(bytes);
    assertNotSame(body, again, "a second binding must not share what the first may have changed");
    assertArrayEquals(body, (byte[]) again);
  }

  @SuppressWarnings("unused")
  private static void takesBytes(byte[] body) {}

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static dev.veil.runtime.spi.FunctionParameter parameter() {
    try {
      java.lang.reflect.Method m =
          RemoteHttpInvocationTest.class.getDeclaredMethod(
              "takesRequest", com.microsoft.azure.functions.HttpRequestMessage.class);
      return new dev.veil.runtime.spi.FunctionParameter(
          0, "request", m.getGenericParameterTypes()[0], List.of());
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unused")
  private static void takesRequest(
      com.microsoft.azure.functions.HttpRequestMessage<String> request) {}
}
