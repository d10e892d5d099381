package dev.veil.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.logging.AzureLogLevels;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the Azure host's settings and binding names are read. */
class AzureSettingsTest {
  @Test
  void namesEverySettingVeilDoesNotActOn() {
    JsonObject host =
        new JsonObject(
            """
        {"version": "2.0", "functionTimeout": "00:05:00", "extensionBundle": {"id": "x"},
         "logging": {"logLevel": {"default": "Warning"}, "applicationInsights": {}},
         "extensions": {"http": {"routePrefix": "", "customHeaders": {}, "maxConcurrentRequests": 10,
                                  "maxOutstandingRequests": 20, "dynamicThrottlesEnabled": true},
                        "kafka": {"maxBatchSize": 5}, "serviceBus": {}},
         "veil": {"workerPoolSize": 4}}
        """);
    JsonObject local =
        new JsonObject(
            """
        {"IsEncrypted": false, "Values": {"A": "1"}, "ConnectionStrings": {},
         "Host": {"LocalHttpPort": 7071, "CORS": "*", "CORSCredentials": false, "LocalHttpsPort": 7072}}
        """);
    List<String> expected =
        List.of(
            "host.json extensionBundle",
            "host.json logging.applicationInsights",
            "host.json extensions.serviceBus",
            "host.json extensions.http.dynamicThrottlesEnabled",
            "local.settings.json ConnectionStrings",
            "local.settings.json Host.LocalHttpsPort");
    assertEquals(
        expected.stream().sorted().toList(),
        IgnoredSettings.of(host, local).stream().sorted().toList());
  }

  @Test
  void azureAnnotationsAreNamedAsFunctionJsonNamesThem() {
    assertEquals("cosmosDBTrigger", BindingDescriptions.azureType("CosmosDBTrigger"));
    assertEquals("cosmosDB", BindingDescriptions.azureType("CosmosDBInput"));
    assertEquals("serviceBusTrigger", BindingDescriptions.azureType("ServiceBusTopicTrigger"));
    assertEquals("serviceBus", BindingDescriptions.azureType("ServiceBusQueueOutput"));
    assertEquals("http", BindingDescriptions.azureType("HttpOutput"));
    assertEquals("eventHubTrigger", BindingDescriptions.azureType("EventHubTrigger"));
  }

  @Test
  void badSettingsAreNamed() {
    String cors =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    HttpHostSettings.of(
                        new HostConfig(new JsonObject()), new JsonObject().put("CORS", 5)))
            .getMessage();
    assertTrue(cors.contains("Host.CORS"), cors);
    String headers =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    HttpHostSettings.of(
                        new HostConfig(
                            new JsonObject(
                                "{\"extensions\": {\"http\": {\"customHeaders\": \"x\"}}}")),
                        new JsonObject()))
            .getMessage();
    assertTrue(headers.contains("customHeaders"), headers);
    String level =
        assertThrows(
                IllegalArgumentException.class,
                () -> AzureLogLevels.apply(new JsonObject().put("Function.x", "Verbose")))
            .getMessage();
    assertTrue(level.contains("logging.logLevel.Function.x") && level.contains("Verbose"), level);
  }
}
