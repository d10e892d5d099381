package dev.veil.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.testkit.TempDirs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Azure Functions Java apps built here against azure-functions-java-library only (plus the library each
 * exercises), each started with {@code veil start --functions app.jar} in its own JVM and called over HTTP.
 * Both hosts start once, side by side.
 */
class AzureAppsTest {
  private static Path work;
  private static HostProcess guiceHost;
  private static HostProcess contractHost;

  @BeforeAll
  static void buildAndStart() throws Exception {
    work = Files.createTempDirectory(Path.of("target"), "compat-");
    Path guiceJar = CompatApps.build("guice-app", work,
        List.of("/com/google/inject/", "/jakarta/inject/", "/aopalliance/", "/com/google/guava/"), List.of());
    Path missing = CompatApps.compileOnly("missing-annotations", work);
    Path contractJar = CompatApps.build("contract-app", work, List.of("/com/h2database/"), List.of(missing));

    Path guiceConfig = Files.createDirectories(work.resolve("guice-config"));
    HostProcess.write(guiceConfig.resolve("host.json"), "{\"version\": \"2.0\"}");
    guiceHost = HostProcess.start("guice-host", guiceConfig, Map.of(), List.of("--functions", guiceJar.toString()));

    Path contractConfig = Files.createDirectories(work.resolve("contract-config"));
    HostProcess.write(contractConfig.resolve("host.json"), "{\"version\": \"2.0\"}");
    HostProcess.write(contractConfig.resolve("local.settings.json"), new JsonObject().put("IsEncrypted", false)
        .put("Values", new JsonObject().put("FUNCTIONS_WORKER_RUNTIME", "java")
            .put("COMPAT_GREETING", "from local.settings.json").put("COMPAT_OVERRIDDEN", "from local.settings.json"))
        .encodePrettily());
    Map<String, String> env = new HashMap<>();
    env.put("COMPAT_OVERRIDDEN", "from the environment");
    contractHost = HostProcess.start("contract-host", contractConfig, env,
        List.of("--functions", contractJar.toString()));

    CompletableFuture.allOf(CompletableFuture.runAsync(guiceHost::awaitStarted),
        CompletableFuture.runAsync(contractHost::awaitStarted)).join();
  }

  @AfterAll
  static void stop() {
    if (guiceHost != null) guiceHost.close();
    if (contractHost != null) contractHost.close();
    TempDirs.deleteQuietly(work);
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

  // issue 15.1: functions the host cannot serve are disabled, the rest runs

  @Test
  void unservedFunctionsAreListedAsDisabledAndTheRestRuns() {
    assertEquals("pong", contractHost.get("/api/ping").body());
    HttpResponse<String> response = contractHost.admin("GET", "/admin/functions", null);
    assertEquals(200, response.statusCode(), response.body());
    Map<String, JsonObject> byName = new HashMap<>();
    new JsonArray(response.body()).forEach(f -> byName.put(((JsonObject) f).getString("name"), (JsonObject) f));
    assertEquals("running", byName.get("ping").getString("status"));
    Map<String, String> expected = Map.of("orchestrator", "", "activity", "activityTrigger", "onItems", "cosmosDBTrigger",
        "readItem", "cosmosDB", "enqueue", "serviceBus");
    expected.forEach((name, type) -> {
      JsonObject fn = byName.get(name);
      assertEquals("disabled", fn.getString("status"), name + ": " + fn);
      if (!type.isEmpty()) {
        assertTrue(fn.getJsonArray("bindings").stream().anyMatch(b -> type.equals(((JsonObject) b).getString("type"))),
            name + " lists its " + type + " binding: " + fn);
      }
    });
    // the trigger of 'orchestrator' comes from a library the app does not ship: no binding can be read
    assertTrue(byName.get("orchestrator").getString("reason").contains("trigger"), byName.get("orchestrator").toString());
    String log = contractHost.log();
    assertTrue(log.contains("activity disabled") && log.contains("'input' (activityTrigger, in)"), log);
    assertTrue(log.contains("onItems disabled") && log.contains("'items' (cosmosDBTrigger, in)"), log);
  }

  // issue 15.2: the app's class loader is the context class loader

  @Test
  void jdbcFindsTheDriverInTheAppsLib() {
    HttpResponse<String> response = contractHost.get("/api/jdbc?word=hello");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("HELLO via H2", response.body());
    assertTrue(contractHost.get("/api/driversAtInit").body().contains("org.h2.Driver"),
        "the static initialiser ran with the app's class loader as context loader");
  }

  // issue 15.3: local.settings.json Values in System.getenv, the real environment wins

  @Test
  void localSettingsReachSystemGetenv() {
    assertEquals("from local.settings.json", contractHost.get("/api/setting?name=COMPAT_GREETING").body());
    assertEquals("from the environment", contractHost.get("/api/setting?name=COMPAT_OVERRIDDEN").body());
    assertEquals("(unset)", contractHost.get("/api/setting?name=COMPAT_NOT_DECLARED").body());
  }
}
