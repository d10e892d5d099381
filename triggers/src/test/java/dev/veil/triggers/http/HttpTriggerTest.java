package dev.veil.triggers.http;

import static dev.veil.triggers.http.Http.get;
import static dev.veil.triggers.http.Http.json;
import static dev.veil.triggers.http.Http.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** One host on a free port, called over real HTTP. */
class HttpTriggerTest {
  @TempDir static Path data;
  static VeilHost host;

  @BeforeAll
  static void startHost() throws Exception {
    host =
        Http.start(
            new HostOptions()
                .port(0)
                .dataDirectory(data)
                .functionClass(TestFunctions.class)
                .hostJson(
                    new JsonObject()
                        .put(
                            "veil",
                            new JsonObject()
                                .put("http", new JsonObject().put("maxRequestBodyBytes", 1024)))));
  }

  @AfterAll
  static void stopHost() throws Exception {
    Http.await(host.close());
  }

  @Test
  void listsDiscoveredFunctionsWithTheirRoutesForTheMasterKey() throws Exception {
    HttpResponse<String> response = get(host, "/admin/functions", host.keys().masterKey());
    assertEquals(200, response.statusCode());
    Map<String, JsonObject> byName = new HashMap<>();
    new JsonArray(response.body())
        .forEach(o -> byName.put(((JsonObject) o).getString("name"), (JsonObject) o));
    assertEquals(22, byName.size(), response.body());
    JsonObject hello = byName.get("hello");
    assertEquals("HttpTrigger", hello.getString("trigger"));
    assertEquals("running", hello.getString("status"));
    assertEquals("/api/hello/{name}", hello.getString("route"));
    assertEquals(new JsonArray().add("GET"), hello.getJsonArray("methods"));
    assertEquals("/api/secure", byName.get("secure").getString("route"));
    assertEquals("FUNCTION", byName.get("secure").getString("authLevel"));
  }

  @Test
  void adminEndpointsNeedTheMasterKey() throws Exception {
    assertEquals(401, get(host, "/admin/functions").statusCode());
    assertEquals(401, get(host, "/admin/functions", host.keys().hostKey()).statusCode());
    HttpResponse<String> status = get(host, "/admin/host/status?code=" + host.keys().masterKey());
    assertEquals(200, status.statusCode());
    assertEquals("Running", json(status).getString("state"));
  }

  @Test
  void functionsShareAPathByMethod() throws Exception {
    assertEquals("read", get(host, "/api/catalog").body());
    assertEquals("wrote book", post(host, "/api/catalog", "book").body());
    HttpResponse<String> put =
        Http.send(
            Http.request(host, "/api/catalog")
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build());
    assertEquals(405, put.statusCode(), put.body());
  }

  @Test
  void usesTheNativeTransportWhereThePlatformHasOne() throws Exception {
    boolean epollPlatform =
        System.getProperty("os.name").equals("Linux")
            && Set.of("amd64", "aarch64").contains(System.getProperty("os.arch"));
    HttpResponse<String> status = get(host, "/admin/host/status", host.keys().masterKey());
    assertEquals(epollPlatform, json(status).getBoolean("nativeTransport"), status.body());
  }

  @Test
  void servesOverJavaNioWhenHostJsonTurnsTheNativeTransportOff(@TempDir Path otherData)
      throws Exception {
    VeilHost nio =
        Http.start(
            new HostOptions()
                .port(0)
                .dataDirectory(otherData)
                .functionClass(TestFunctions.class)
                .hostJson(
                    new JsonObject().put("veil", new JsonObject().put("nativeTransport", false))));
    try {
      assertEquals("Hello, NIO from hello", get(nio, "/api/hello/NIO").body());
      assertEquals(
          false,
          json(get(nio, "/admin/host/status", nio.keys().masterKey()))
              .getBoolean("nativeTransport"));
    } finally {
      Http.await(nio.close());
    }
  }

  @Test
  void routeParametersBindToBindingNameParameters() throws Exception {
    HttpResponse<String> response = get(host, "/api/hello/World?greeting=Hi");
    assertEquals(200, response.statusCode());
    assertEquals("Hi, World from hello", response.body());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));

    JsonObject item = json(get(host, "/api/shop/books/items/41"));
    assertEquals("books", item.getString("category"));
    assertEquals(42, item.getInteger("next"));

    assertEquals("a/b/c.txt", get(host, "/api/files/a/b/c.txt").body());
  }

  @Test
  void aLiteralRouteWinsOverATemplatedOneOnEveryPath() throws Exception {
    // The exact path is answered ahead of the router; the others need normalizing and take the
    // router.
    for (String path :
        new String[] {
          "/api/files/index", "/api/files/index/", "/api/files/./index", "/api//files/index"
        }) {
      HttpResponse<String> response =
          Http.send(Http.request(host, path).header("x-listing", "all").GET().build());
      assertEquals(200, response.statusCode(), path);
      assertEquals("index of all {}", response.body(), path);
    }
    assertEquals("index of null {depth=2}", get(host, "/api/files/index?depth=2").body());
    assertEquals("index.html", get(host, "/api/files/index.html").body());

    HttpResponse<String> withBody =
        Http.CLIENT.send(
            Http.request(host, "/api/hello/Body")
                .method("GET", HttpRequest.BodyPublishers.ofString("ignored"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(
        "Hello, Body from hello",
        withBody.body(),
        "a GET body is ignored, the request still answered");
    assertEquals("Hello, Again from hello", get(host, "/api/hello/Again").body());
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405WithJson() throws Exception {
    HttpResponse<String> missing = get(host, "/api/nope");
    assertEquals(404, missing.statusCode());
    assertTrue(json(missing).getString("error").contains("/api/nope"));
    HttpResponse<String> wrongMethod = post(host, "/api/hello/World", "");
    assertEquals(405, wrongMethod.statusCode());
    assertTrue(json(wrongMethod).getString("error").contains("POST"));
  }

  @Test
  void functionLevelAcceptsFunctionHostAndMasterKeysOnly() throws Exception {
    assertEquals(401, get(host, "/api/secure").statusCode());
    assertEquals(401, get(host, "/api/secure", "wrong-key").statusCode());
    assertEquals(
        401,
        get(host, "/api/secure", host.keys().functionKey("hello")).statusCode(),
        "another function's key");
    assertEquals(200, get(host, "/api/secure", host.keys().functionKey("secure")).statusCode());
    assertEquals("secret", get(host, "/api/secure?code=" + host.keys().hostKey()).body());
    assertEquals(200, get(host, "/api/secure", host.keys().masterKey()).statusCode());
    assertTrue(json(get(host, "/api/secure")).getString("error").contains("key"));
  }

  @Test
  void adminLevelAcceptsOnlyTheMasterKey() throws Exception {
    assertEquals(401, get(host, "/api/adminOnly").statusCode());
    assertEquals(
        401, get(host, "/api/adminOnly", host.keys().functionKey("adminOnly")).statusCode());
    assertEquals(401, get(host, "/api/adminOnly", host.keys().hostKey()).statusCode());
    assertEquals("admin", get(host, "/api/adminOnly", host.keys().masterKey()).body());
  }

  @Test
  void keysAreGeneratedOnceIntoAnOwnerOnlyFile() throws Exception {
    Path file = data.resolve("keys.json");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    JsonObject keys = new JsonObject(Files.readString(file));
    assertEquals(host.keys().masterKey(), keys.getString("masterKey"));
    assertEquals(
        host.keys().functionKey("secure"),
        keys.getJsonObject("functionKeys").getJsonObject("secure").getString("default"));
    assertNotEquals(host.keys().masterKey(), host.keys().hostKey());
    assertTrue(host.keys().masterKey().length() >= 40);
  }

  @Test
  void stringBinaryAndPojoBodies() throws Exception {
    HttpResponse<String> echo = post(host, "/api/echo", "héllo");
    assertEquals("héllo", echo.body());
    assertEquals("5", echo.headers().firstValue("x-length").orElseThrow());
    assertEquals("(empty)", post(host, "/api/echo", "").body());

    byte[] bytes = {(byte) 0xff, 0, (byte) 0xc3, 0x28, 7};
    HttpResponse<byte[]> reversed =
        Http.CLIENT.send(
            Http.request(host, "/api/reverseBytes")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertArrayEquals(new byte[] {7, 0x28, (byte) 0xc3, 0, (byte) 0xff}, reversed.body());

    HttpResponse<String> sum = post(host, "/api/add", "{\"x\": 1.5, \"y\": 2.25}");
    assertEquals(200, sum.statusCode());
    assertEquals("application/json", sum.headers().firstValue("content-type").orElseThrow());
    assertEquals(3.75, json(sum).getDouble("sum"));
  }

  @Test
  void malformedOrMissingJsonIs400NamingTheProblem() throws Exception {
    HttpResponse<String> malformed = post(host, "/api/add", "{\"x\": 1.5, ");
    assertEquals(400, malformed.statusCode());
    String error = json(malformed).getString("error");
    assertTrue(error.contains("request body is not valid JSON for Point"), error);
    assertTrue(json(malformed).containsKey("invocationId"));

    HttpResponse<String> wrongType = post(host, "/api/add", "{\"x\": \"one\", \"y\": 2}");
    assertEquals(400, wrongType.statusCode());
    assertTrue(json(wrongType).getString("error").contains("Point"));

    HttpResponse<String> empty = post(host, "/api/add", "");
    assertEquals(400, empty.statusCode());
    assertTrue(json(empty).getString("error").contains("no body"));
  }

  @Test
  void functionThatThrowsIs500WithInvocationIdAndNoDetails() throws Exception {
    HttpResponse<String> response = get(host, "/api/fail");
    assertEquals(500, response.statusCode());
    JsonObject body = json(response);
    assertTrue(body.getString("invocationId").matches("[0-9a-f-]{36}"), body.encode());
    assertFalse(response.body().contains("hunter2"), "no exception message leaks");
    assertFalse(response.body().contains("Exception"), "no exception type leaks");
    assertFalse(response.body().contains("at dev.veil"), "no stack trace");
  }

  @Test
  void illegalArgumentAndExplicitResponsesAre400() throws Exception {
    HttpResponse<String> thrown = post(host, "/api/validate", "1,2");
    assertEquals(400, thrown.statusCode());
    assertEquals("expected 3 features, got 2", json(thrown).getString("error"));
    assertEquals("ok", post(host, "/api/validate", "1,2,3").body());

    HttpResponse<String> explicit = get(host, "/api/explicitBadRequest");
    assertEquals(400, explicit.statusCode());
    assertEquals("feature 'radius' is missing", json(explicit).getString("error"));
  }

  @Test
  void oversizedBodyIs400NamingSizeAndLimit() throws Exception {
    HttpResponse<String> response = post(host, "/api/echo", "x".repeat(4096));
    assertEquals(400, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    String error = json(response).getString("error");
    assertTrue(error.contains("4096 bytes") && error.contains("limit of 1024 bytes"), error);
    assertEquals(200, post(host, "/api/echo", "x".repeat(1024)).statusCode());

    // No Content-Length (a streamed body): the limit is enforced while reading.
    HttpResponse<String> streamed =
        Http.CLIENT.send(
            Http.request(host, "/api/echo")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[4096])))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(400, streamed.statusCode());
    assertTrue(json(streamed).getString("error").contains("limit of 1024 bytes"), streamed.body());
  }

  @Test
  void formAndMultipartBodiesReachTheFunctionAsTheClientSentThem() throws Exception {
    byte[] multipart =
        ("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n\u0001\u0002\u0003\r\n--b0undary--\r\n")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HttpResponse<byte[]> reversed =
        Http.CLIENT.send(
            Http.request(host, "/api/reverseBytes")
                .header("content-type", "multipart/form-data; boundary=b0undary")
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, reversed.statusCode());
    byte[] expected = new byte[multipart.length];
    for (int i = 0; i < multipart.length; i++) expected[i] = multipart[multipart.length - 1 - i];
    assertArrayEquals(expected, reversed.body());

    HttpResponse<String> form =
        Http.CLIENT.send(
            Http.request(host, "/api/echo")
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=1&b=h%C3%A9"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("a=1&b=h%C3%A9", form.body());
  }

  @Test
  void routeConstraintsAreEnforcedAnd404OtherwiseBeforeTheKeyCheck() throws Exception {
    String key = host.keys().functionKey("constrained");
    String guid = "0f8fad5b-d9cb-469f-a165-70867728950e";
    HttpResponse<String> ok =
        get(host, "/api/typed/-7/True/abc/" + guid + "/2.5e1/9000000000", key);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("-7|True|abc|" + guid + "|25.0|9000000000", ok.body());
    for (String bad :
        new String[] {
          "/api/typed/x7/true/abc/" + guid + "/1/1", // int
          "/api/typed/3000000000/true/abc/" + guid + "/1/1", // int out of range
          "/api/typed/7/yes/abc/" + guid + "/1/1", // bool
          "/api/typed/7/true/ab1/" + guid + "/1/1", // alpha
          "/api/typed/7/true/abc/not-a-guid/1/1", // guid
          "/api/typed/7/true/abc/" + guid + "/1.2.3/1", // double
          "/api/typed/7/true/abc/" + guid + "/1/99999999999999999999"
        }) { // long out of range
      HttpResponse<String> response = get(host, bad, key);
      assertEquals(404, response.statusCode(), bad);
      assertTrue(json(response).getString("error").startsWith("nothing is served at"), bad);
    }
    assertEquals(401, get(host, "/api/typed/-7/true/abc/" + guid + "/2.5/1").statusCode());
    assertEquals(404, get(host, "/api/shop/books/items/forty-one").statusCode());
  }

  @Test
  void optionalRouteParameterMayBeAbsent() throws Exception {
    assertEquals("page 3", get(host, "/api/pages/3").body());
    assertEquals("first page", get(host, "/api/pages").body());
    assertEquals("first page", get(host, "/api/pages/").body());
    assertEquals(404, get(host, "/api/pages/three").statusCode());
    assertEquals(404, get(host, "/api/pages/3/4").statusCode());
  }

  @Test
  void dataTypeStringDecodesWithTheRequestCharsetAndBinaryKeepsBytes() throws Exception {
    byte[] latin1 = "café".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    HttpResponse<String> text =
        Http.CLIENT.send(
            Http.request(host, "/api/textBody")
                .header("content-type", "text/plain; charset=ISO-8859-1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(latin1))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("café", text.body());
    // The same bytes through dataType "binary" arrive untouched (one byte per Latin-1 character).
    HttpResponse<byte[]> binary =
        Http.CLIENT.send(
            Http.request(host, "/api/reverseBytes")
                .header("content-type", "text/plain; charset=ISO-8859-1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(latin1))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(4, binary.body().length);
    assertEquals((byte) 0xe9, binary.body()[0]);
  }

  @Test
  void httpResponsesAreCountedByStatusClass() throws Exception {
    HttpResponse<String> error = get(host, "/api/serverError");
    assertEquals(503, error.statusCode());
    // The function's own Content-Type (any case) replaces the host's default instead of being sent
    // next to it.
    assertEquals(
        java.util.List.of("application/problem+json"), error.headers().allValues("content-type"));
    assertEquals(503, get(host, "/api/serverError").statusCode());
    assertEquals(401, get(host, "/api/secure").statusCode());
    String metrics = get(host, "/metrics").body();
    assertEquals(2.0, sample(metrics, "veil_http_responses_total", "serverError", "code", "5xx"));
    assertEquals(0.0, sample(metrics, "veil_http_responses_total", "serverError", "code", "2xx"));
    assertTrue(sample(metrics, "veil_http_responses_total", "secure", "code", "4xx") >= 1.0);
  }

  @Test
  void voidFunctionAnswers204() throws Exception {
    assertEquals(204, get(host, "/api/nothing").statusCode());
  }

  @Test
  void retryAnnotationsOnHttpFunctionsAreNotApplied() throws Exception {
    // Azure does not retry HTTP-triggered functions; the caller sees the first failure
    HttpResponse<String> flaky = get(host, "/api/flaky");
    assertEquals(500, flaky.statusCode());
    assertEquals(1, TestFunctions.FLAKY_CALLS.get());

    assertEquals(500, get(host, "/api/alwaysFails").statusCode());
    String metrics = get(host, "/metrics").body();
    assertEquals(
        1.0,
        sample(metrics, "veil_invocation_errors_total", "alwaysFails", "kind", "function_error"));
  }

  @Test
  void metricsCountInvocationsErrorsAndDurations() throws Exception {
    for (int i = 0; i < 3; i++) assertEquals(200, get(host, "/api/counted").statusCode());
    assertEquals(400, post(host, "/api/validate", "bad").statusCode());
    HttpResponse<String> response = get(host, "/metrics");
    assertEquals(200, response.statusCode());
    String metrics = response.body();
    assertEquals(3.0, sample(metrics, "veil_invocations_total", "counted", "status", "success"));
    assertEquals(
        3.0,
        sample(metrics, "veil_invocation_duration_seconds_count", "counted", "status", "success"));
    assertTrue(
        sample(metrics, "veil_invocation_duration_seconds_sum", "counted", "status", "success")
            > 0);
    assertTrue(
        metrics.contains("veil_invocation_duration_seconds_bucket{function=\"counted\""),
        "histogram buckets");
    assertTrue(
        sample(metrics, "veil_invocation_errors_total", "validate", "kind", "bad_input") >= 1.0);
  }

  @Test
  void clientErrorsAreCountedApartAndLoggedInOneLineWithoutATrace() throws Exception {
    Logger invocations = (Logger) LoggerFactory.getLogger("dev.veil.invocations");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    invocations.addAppender(lines);
    try {
      assertEquals(400, get(host, "/api/explicitBadRequest").statusCode());
      assertEquals(400, post(host, "/api/validate", "also bad").statusCode());
    } finally {
      invocations.detachAppender(lines);
    }
    String metrics = get(host, "/metrics").body();
    assertTrue(
        sample(metrics, "veil_invocations_total", "explicitBadRequest", "status", "client_error")
            >= 1.0);
    assertFalse(
        metrics.contains(
            "veil_invocations_total{function=\"explicitBadRequest\",status=\"success\"}"),
        "a returned 400 is not a success");
    List<ILoggingEvent> clientLines =
        lines.list.stream()
            .filter(
                e ->
                    e.getFormattedMessage().contains("function=explicitBadRequest")
                        || e.getFormattedMessage().contains("function=validate"))
            .toList();
    assertEquals(2, clientLines.size(), "one line per client error");
    for (ILoggingEvent line : clientLines) {
      assertEquals(Level.INFO, line.getLevel(), line.getFormattedMessage());
      assertEquals(
          null, line.getThrowableProxy(), "no stack trace for " + line.getFormattedMessage());
    }
    assertTrue(
        clientLines.get(0).getFormattedMessage().contains("status=client_error code=400"),
        clientLines.get(0).getFormattedMessage());
  }

  @Test
  void healthEndpoints() throws Exception {
    assertEquals("live", json(get(host, "/health/live")).getString("status"));
    assertEquals("ready", json(get(host, "/health/ready")).getString("status"));
  }

  /** The value of a Prometheus sample with the given function label and one more label. */
  static double sample(String metrics, String name, String function, String label, String value) {
    Pattern p = Pattern.compile("^" + name + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(metrics);
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("function=\"" + function + "\"")
          && labels.contains(label + "=\"" + value + "\"")) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError(
        "no sample " + name + " for " + function + "/" + value + " in\n" + metrics);
  }
}
