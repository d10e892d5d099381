package dev.veil.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.veil.testkit.TempDirs;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Azure Functions Java apps built here against azure-functions-java-library only (plus the library
 * each exercises), each started in its own JVM as a user starts it and called over HTTP: the Guice
 * app with {@code veil start --functions app.jar}, the contract app from Azure's package layout
 * with {@code veil start --app DIR}. Both hosts start once, side by side.
 */
class AzureAppsTest {
  private static Path work;
  private static HostProcess guiceHost;
  private static HostProcess contractHost;
  private static Path contractJar;

  @BeforeAll
  static void buildAndStart() throws Exception {
    work = Files.createTempDirectory(Path.of("target"), "compat-");
    Path guiceJar =
        CompatApps.build(
            "guice-app",
            work,
            List.of(
                "/com/google/inject/", "/jakarta/inject/", "/aopalliance/", "/com/google/guava/"),
            List.of());
    Path missing = CompatApps.compileOnly("missing-annotations", work);
    contractJar =
        CompatApps.build("contract-app", work, List.of("/com/h2database/"), List.of(missing));

    Path guiceConfig = Files.createDirectories(work.resolve("guice-config"));
    HostProcess.write(guiceConfig.resolve("host.json"), "{\"version\": \"2.0\"}");
    guiceHost =
        HostProcess.start(
            "guice-host", guiceConfig, Map.of(), List.of("--functions", guiceJar.toString()));

    // The contract app runs from Azure's package layout: host.json, local.settings.json, jar, lib/,
    // function.json folders
    Path contractConfig = contractJar.getParent();
    HostProcess.write(
        contractConfig.resolve("ping/function.json"),
        new JsonObject()
            .put("scriptFile", "../contract-app.jar")
            .put("entryPoint", "com.example.contract.Ping.ping")
            .put(
                "bindings",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("type", "httpTrigger")
                            .put("direction", "in")
                            .put("name", "req")
                            .put("methods", new JsonArray().add("GET"))
                            .put("authLevel", "ANONYMOUS")))
            .encodePrettily());
    HostProcess.write(
        contractConfig.resolve("host.json"),
        new JsonObject()
            .put("version", "2.0")
            .put(
                "logging",
                new JsonObject().put("logLevel", new JsonObject().put("Function.quiet", "Warning")))
            .put(
                "extensions",
                new JsonObject()
                    .put(
                        "http",
                        new JsonObject()
                            .put("customHeaders", new JsonObject().put("X-Compat", "yes"))))
            .put(
                "extensionBundle",
                new JsonObject().put("id", "Microsoft.Azure.Functions.ExtensionBundle"))
            .encodePrettily());
    HostProcess.write(
        contractConfig.resolve("local.settings.json"),
        new JsonObject()
            .put("IsEncrypted", false)
            .put(
                "Values",
                new JsonObject()
                    .put("FUNCTIONS_WORKER_RUNTIME", "java")
                    .put("COMPAT_GREETING", "from local.settings.json")
                    .put("COMPAT_OVERRIDDEN", "from local.settings.json"))
            .put(
                "Host",
                new JsonObject()
                    .put("CORS", "https://app.example, https://other.example")
                    .put("CORSCredentials", true))
            .encodePrettily());
    Map<String, String> env = new HashMap<>();
    env.put("COMPAT_OVERRIDDEN", "from the environment");
    contractHost =
        HostProcess.start(
            "contract-host", contractConfig, env, List.of("--app", contractConfig.toString()));

    CompletableFuture.allOf(
            CompletableFuture.runAsync(guiceHost::awaitStarted),
            CompletableFuture.runAsync(contractHost::awaitStarted))
        .join();
  }

  @AfterAll
  static void stop() {
    if (guiceHost != null) guiceHost.close();
    try {
      if (contractHost != null) {
        // The contract host runs in a child JVM that holds local.settings.json's Values in its
        // environment:
        // killing the launcher with SIGKILL must take that host down with it, freeing the port.
        assertTrue(contractHost.listening());
        contractHost.kill();
        Waits.until(
            () -> !contractHost.listening(),
            Duration.ofSeconds(15),
            "the host to go with its killed launcher");
      }
    } finally {
      TempDirs.deleteQuietly(work);
    }
  }

  // issue 14.1: instances through the app's FunctionInstanceInjector (Guice)

  @Test
  void guiceInjectsAField() {
    HttpResponse<String> response = guiceHost.get("/api/greetField?name=Ada");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().startsWith("Good day, Ada (#"), response.body());
  }

  @Test
  void guiceMakesAClassWithoutANoArgumentConstructor() {
    HttpResponse<String> first = guiceHost.get("/api/greetConstructor?name=Grace");
    HttpResponse<String> second = guiceHost.get("/api/greetConstructor?name=Grace");
    assertEquals(200, first.statusCode(), first.body());
    assertTrue(first.body().startsWith("Good day, Grace (#"), first.body());
    // the greeter is a Guice singleton: one injector serves every invocation
    assertNotEquals(first.body(), second.body());
  }

  // issue 15.8: given an app, the host serves it alone

  @Test
  void functionsOnTheHostsClassPathAreNotServedBesideTheApp() {
    assertEquals(
        404, contractHost.admin("GET", "/admin/functions/builtinProbe", null).statusCode());
    assertEquals(404, contractHost.get("/api/builtinProbe").statusCode());
    assertEquals(404, guiceHost.get("/api/builtinProbe").statusCode());
  }

  // issue 15.1: functions the host cannot serve are disabled, the rest runs

  @Test
  void unservedFunctionsAreListedAsDisabledAndTheRestRuns() {
    assertEquals("pong", contractHost.get("/api/ping").body());
    HttpResponse<String> response = contractHost.admin("GET", "/admin/functions", null);
    assertEquals(200, response.statusCode(), response.body());
    Map<String, JsonObject> byName = new HashMap<>();
    new JsonArray(response.body())
        .forEach(f -> byName.put(((JsonObject) f).getString("name"), (JsonObject) f));
    assertEquals("running", byName.get("ping").getString("status"));
    Map<String, String> expected =
        Map.of(
            "orchestrator",
            "",
            "activity",
            "activityTrigger",
            "onItems",
            "cosmosDBTrigger",
            "readItem",
            "cosmosDB",
            "enqueue",
            "serviceBus");
    expected.forEach(
        (name, type) -> {
          JsonObject fn = byName.get(name);
          assertEquals("disabled", fn.getString("status"), name + ": " + fn);
          if (!type.isEmpty()) {
            assertTrue(
                fn.getJsonArray("bindings").stream()
                    .anyMatch(b -> type.equals(((JsonObject) b).getString("type"))),
                name + " lists its " + type + " binding: " + fn);
          }
        });
    // the trigger of 'orchestrator' comes from a library the app does not ship: no binding can be
    // read
    assertTrue(
        byName.get("orchestrator").getString("reason").contains("trigger"),
        byName.get("orchestrator").toString());
    String log = contractHost.log();
    assertTrue(
        log.contains("activity disabled") && log.contains("'input' (activityTrigger, in)"), log);
    assertTrue(
        log.contains("onItems disabled") && log.contains("'items' (cosmosDBTrigger, in)"), log);
  }

  // issue 15.2: the app's class loader is the context class loader

  @Test
  void jdbcFindsTheDriverInTheAppsLib() {
    HttpResponse<String> response = contractHost.get("/api/jdbc?word=hello");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("HELLO via H2", response.body());
    assertTrue(
        contractHost.get("/api/driversAtInit").body().contains("org.h2.Driver"),
        "the static initialiser ran with the app's class loader as context loader");
  }

  // issue 15.3: local.settings.json Values in System.getenv, the real environment wins

  @Test
  void localSettingsReachSystemGetenv() {
    assertEquals(
        "from local.settings.json", contractHost.get("/api/setting?name=COMPAT_GREETING").body());
    assertEquals(
        "from the environment", contractHost.get("/api/setting?name=COMPAT_OVERRIDDEN").body());
    assertEquals("(unset)", contractHost.get("/api/setting?name=COMPAT_NOT_DECLARED").body());
  }

  // issue 15.4: the Java worker's binding semantics

  @Test
  void pojosBindAsGsonBindsThem() throws Exception {
    List<String> orders =
        List.of(
            "{\"id\": 7, \"customer\": {\"name\": \"Ada\", \"tags\": [\"a\", \"b\"]},"
                + " \"placed\": \"2024-01-02T15:04:05Z\", \"note\": null, \"unknown\": 1,"
                + " \"lines\": [{\"sku\": \"x\", \"quantity\": 2}]}",
            "{}",
            "{\"id\": 3, \"customer\": null, \"lines\": null}");
    try (URLClassLoader app =
        new URLClassLoader(new URL[] {contractJar.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> orderType = app.loadClass("com.example.contract.Order");
      Class<?> lineType = app.loadClass("com.example.contract.Line");
      Gson gson = new Gson();
      for (String json : orders) {
        String expected =
            (String) orderType.getMethod("describe").invoke(gson.fromJson(json, orderType));
        HttpResponse<String> response =
            contractHost.send(
                HttpRequest.newBuilder(contractHost.uri("/api/bindOrder"))
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .header("content-type", "application/json"));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(expected, response.body(), json);
      }
      // the field initialiser does not run (no constructor runs), as with Gson on Azure
      assertTrue(contractHostPost("/api/bindOrder", "{}").contains("lines=null"));
      for (String json :
          List.of("{\"sku\": \"y\", \"quantity\": 5, \"price\": 1.5}", "{\"sku\": null}")) {
        assertEquals(
            String.valueOf(gson.fromJson(json, lineType)), contractHostPost("/api/bindLine", json));
      }
    }
    HttpResponse<String> bad =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/bindLine"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"quantity\": \"many\"}")));
    assertEquals(400, bad.statusCode(), bad.body());
  }

  private static String contractHostPost(String path, String body) {
    return contractHost
        .send(
            HttpRequest.newBuilder(contractHost.uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)))
        .body();
  }

  @Test
  void executionContextCarriesNameIdLoggerTraceAndRetry() {
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    HttpResponse<String> traced =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/context"))
                .header("traceparent", traceparent)
                .header("tracestate", "vendor=1"));
    String[] parts = traced.body().split("\\|", -1);
    assertEquals("context", parts[0], traced.body());
    assertTrue(
        parts[1].matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"),
        parts[1]);
    assertEquals(traceparent, parts[2]);
    assertEquals("vendor=1", parts[3]);
    assertEquals("0", parts[4]);
    // without a caller's trace the invocation starts one whose trace id is the invocation id
    String[] untraced = contractHost.get("/api/context").body().split("\\|", -1);
    assertEquals("00-" + untraced[1].replace("-", ""), untraced[2].substring(0, 35), untraced[2]);
    Waits.until(
        () -> contractHost.log().contains("context function ran as " + parts[1]),
        Duration.ofSeconds(10),
        "the function's log line in the host log");
  }

  @Test
  void retryAnnotationOnAnHttpFunctionIsReportedAndNotApplied() {
    assertEquals(500, contractHost.get("/api/failsWithRetry").statusCode());
    assertEquals("1", contractHost.get("/api/failingCalls").body());
    assertTrue(
        contractHost
            .log()
            .contains("function 'failsWithRetry': its retry annotation is not applied"));
  }

  // issue 15.6: host.json and local.settings.json as the Azure host reads them

  @Test
  void customHeadersGoOnEveryResponse() {
    assertEquals(
        "yes", contractHost.get("/api/ping").headers().firstValue("x-compat").orElse(null));
    assertEquals(
        "yes",
        contractHost.get("/api/no-such-function").headers().firstValue("x-compat").orElse(null));
  }

  @Test
  void corsPreflightsAreAnsweredForAllowedOriginsOnly() {
    HttpResponse<String> preflight =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/ping"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://app.example")
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "x-token"));
    assertEquals(204, preflight.statusCode(), preflight.body());
    assertEquals(
        "https://app.example",
        preflight.headers().firstValue("access-control-allow-origin").orElse(null));
    assertEquals(
        "true", preflight.headers().firstValue("access-control-allow-credentials").orElse(null));
    assertEquals(
        "x-token", preflight.headers().firstValue("access-control-allow-headers").orElse(null));

    HttpResponse<String> foreign =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/ping"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("origin", "https://evil.example")
                .header("access-control-request-method", "GET"));
    assertEquals(403, foreign.statusCode());
    assertTrue(foreign.body().contains("https://evil.example"), foreign.body());

    HttpResponse<String> simple =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/ping"))
                .header("origin", "https://other.example"));
    assertEquals("pong", simple.body());
    assertEquals(
        "https://other.example",
        simple.headers().firstValue("access-control-allow-origin").orElse(null));
    HttpResponse<String> noCors =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/ping"))
                .header("origin", "https://evil.example"));
    assertTrue(noCors.headers().firstValue("access-control-allow-origin").isEmpty());
  }

  @Test
  void methodNotAllowedNamesTheAllowedMethods() {
    HttpResponse<String> response =
        contractHost.send(
            HttpRequest.newBuilder(contractHost.uri("/api/ping"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(405, response.statusCode(), response.body());
    assertEquals("GET", response.headers().firstValue("allow").orElse(null));
  }

  @Test
  void logLevelsAndIgnoredSettingsFromHostJson() {
    assertEquals("logged", contractHost.get("/api/quiet").body());
    Waits.until(
        () -> contractHost.log().contains("quiet warning line"),
        Duration.ofSeconds(10),
        "the warning line");
    String log = contractHost.log();
    assertTrue(
        !log.contains("quiet information line"),
        "Function.quiet: Warning drops its information lines");
    assertTrue(
        log.contains("settings Veil does not support, ignored: host.json extensionBundle"), log);
  }

  // issue 15.7: the admin API in the Azure host's shape

  @Test
  void adminApiDescribesFunctionsAsTheAzureHostDoes() {
    JsonObject ping =
        new JsonObject(contractHost.admin("GET", "/admin/functions/ping", null).body());
    assertEquals("ping", ping.getString("name"));
    assertEquals(contractHost.uri("/api/ping").toString(), ping.getString("invoke_url_template"));
    assertEquals(false, ping.getBoolean("isDisabled"));
    assertEquals("java", ping.getString("language"));
    JsonObject config = ping.getJsonObject("config");
    assertEquals("com.example.contract.Ping.ping", config.getString("entryPoint"));
    assertEquals("contract-app.jar", config.getString("scriptFile"));
    JsonObject trigger = config.getJsonArray("bindings").getJsonObject(0);
    assertEquals("httpTrigger", trigger.getString("type"));
    assertEquals("ANONYMOUS", trigger.getString("authLevel"));
    assertEquals(new JsonArray().add("GET"), trigger.getJsonArray("methods"));

    JsonObject activity =
        new JsonObject(contractHost.admin("GET", "/admin/functions/activity", null).body());
    assertEquals(true, activity.getBoolean("isDisabled"));
    assertEquals(404, contractHost.admin("GET", "/admin/functions/nope", null).statusCode());
    assertEquals(401, contractHost.get("/admin/functions/ping").statusCode());

    JsonObject status =
        new JsonObject(contractHost.admin("GET", "/admin/host/status", null).body());
    assertEquals("Running", status.getString("state"));
    assertTrue(
        status.getString("id") != null && status.getLong("processUptime") > 0, status.encode());
  }

  @Test
  void adminApiRunsANonHttpFunctionOnce() {
    HttpResponse<String> accepted =
        contractHost.admin(
            "POST",
            "/admin/functions/onOrderEvent",
            new JsonObject().put("input", "order-42").encode());
    assertEquals(202, accepted.statusCode(), accepted.body());
    Waits.until(
        () -> contractHost.get("/api/orderEvents").body().contains("order-42"),
        Duration.ofSeconds(10),
        "the Kafka-triggered function to run with the admin input");
    assertEquals(
        400,
        contractHost.admin("POST", "/admin/functions/ping", "{\"input\": \"x\"}").statusCode());
    assertEquals(
        404,
        contractHost.admin("POST", "/admin/functions/activity", "{\"input\": \"x\"}").statusCode());
    assertEquals(
        400, contractHost.admin("POST", "/admin/functions/onOrderEvent", "not json").statusCode());
  }

  // issue 15.5 (part): the Kafka extension's KafkaEntity shape as output

  @Test
  void kafkaEntityOutputWritesKeyValueAndHeaders() {
    assertEquals("published", contractHostPost("/api/publishEntity", "hello"));
    Waits.until(
        () ->
            contractHost
                .get("/api/receivedEntities")
                .body()
                .contains("hello|key-hello|key-hello|compat|compat"),
        Duration.ofSeconds(10),
        "the record with its key and header");
    // no broker configured anywhere: the in-process queue, with one warning line per function
    String log = contractHost.log();
    assertTrue(
        log.lines()
                .filter(l -> l.contains("WARN") || l.contains("warn"))
                .filter(
                    l ->
                        l.contains("function receiveEntity: Kafka trigger on topic 'entities'")
                            && l.contains("no broker list"))
                .count()
            == 1,
        log);
  }
}
