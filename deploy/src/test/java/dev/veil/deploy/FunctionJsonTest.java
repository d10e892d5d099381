package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.runtime.host.FunctionScanner;
import dev.veil.runtime.spi.FunctionDefinition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** function.json for the binding kinds and retry policies the bundled functions do not use. */
class FunctionJsonTest {
  private static final Map<String, ObjectNode> DOCS =
      scanner().definitions(List.of(Fixtures.Covering.class)).stream()
          .collect(
              Collectors.toMap(FunctionDefinition::name, f -> FunctionJson.of(f, "../app.jar")));

  private static FunctionScanner scanner() {
    return new FunctionScanner(FunctionJsonTest.class.getClassLoader(), Set.of(), Set.of());
  }

  private static JsonNode json(String text) throws Exception {
    return FunctionJson.JSON.readTree(text.replace('\'', '"'));
  }

  @Test
  void everyDocumentMatchesTheSchema() {
    DOCS.forEach(
        (name, doc) -> assertEquals(List.of(), Schemas.violations(Schemas.FUNCTION, doc), name));
  }

  @Test
  void timerTriggerWithBlobInputFixedDelayRetryStorageAccountAndMethodLevelOutput()
      throws Exception {
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures$Covering.nightly',
         'bindings': [
           {'type': 'timerTrigger', 'direction': 'in', 'name': 'tick', 'schedule': '0 30 2 * * *'},
           {'type': 'blob', 'direction': 'in', 'name': 'model', 'path': 'models/current.json', 'connection': 'ArchiveStorage'},
           {'type': 'blob', 'direction': 'out', 'name': '$return', 'path': 'reports/nightly.json', 'connection': 'ArchiveStorage'}],
         'retry': {'strategy': 'fixedDelay', 'maxRetryCount': 3, 'delayInterval': '00:00:10'}}
        """),
        DOCS.get("nightly"));
  }

  @Test
  void blobTriggerAndOutputWithExponentialBackoff() throws Exception {
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures$Covering.copy',
         'bindings': [
           {'type': 'blobTrigger', 'direction': 'in', 'name': 'source', 'connection': 'InStorage', 'dataType': 'binary', 'path': 'in/{name}'},
           {'type': 'blob', 'direction': 'out', 'name': 'target', 'path': 'out/{name}'}],
         'retry': {'strategy': 'exponentialBackoff', 'maxRetryCount': 5, 'minimumInterval': '00:00:01', 'maximumInterval': '00:01:00'}}
        """),
        DOCS.get("copy-blob"));
  }

  @Test
  void httpTriggerGetsAnHttpReturnBinding() throws Exception {
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures$Covering.echo',
         'bindings': [
           {'type': 'httpTrigger', 'direction': 'in', 'name': 'req', 'authLevel': 'ANONYMOUS', 'methods': ['GET', 'PUT'], 'route': 'echo/{id}'},
           {'type': 'http', 'direction': 'out', 'name': '$return'}]}
        """),
        DOCS.get("echo"));
  }

  @Test
  void schemaRejectsWhatAzureWouldReject() throws Exception {
    JsonNode noSchedule =
        json(
            "{'scriptFile': '../a.jar', 'entryPoint': 'a.B.c', 'bindings': [{'type': 'timerTrigger', 'direction': 'in', 'name': 't'}]}");
    JsonNode badMethod =
        json(
            "{'scriptFile': '../a.jar', 'entryPoint': 'a.B.c', 'bindings': [{'type': 'httpTrigger', 'direction': 'in', 'name': 'r', 'methods': ['fetch']}]}");
    JsonNode batchWithoutType =
        json(
            "{'scriptFile': '../a.jar', 'entryPoint': 'a.B.c', 'bindings': [{'type': 'kafkaTrigger', 'direction': 'in', 'name': 'm', 'topic': 't', 'brokerList': 'b', 'cardinality': 'many'}]}");
    JsonNode retryMixed =
        json(
            "{'scriptFile': '../a.jar', 'entryPoint': 'a.B.c', 'bindings': [{'type': 'http', 'direction': 'out', 'name': '$return'}], 'retry': {'strategy': 'fixedDelay', 'maxRetryCount': 1, 'minimumInterval': '00:00:01'}}");
    for (JsonNode doc : List.of(noSchedule, badMethod, batchWithoutType, retryMixed)) {
      assertTrue(!Schemas.violations(Schemas.FUNCTION, doc).isEmpty(), "accepted " + doc);
    }
  }

  @Test
  void queueTriggerAndQueueOutput() throws Exception {
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures$Covering.enqueue',
         'bindings': [
           {'type': 'queueTrigger', 'direction': 'in', 'name': 'order', 'queueName': '%OrdersQueue%', 'connection': 'QueueStorage'},
           {'type': 'queue', 'direction': 'out', 'name': 'next', 'queueName': 'shipping-{Id}', 'connection': 'QueueStorage'}]}
        """),
        DOCS.get("enqueue"));
  }

  @Test
  void bindingsVeilDoesNotRunStillPackageAsThePluginWritesThem() throws Exception {
    Map<String, ObjectNode> docs =
        scanner().definitions(List.of(Fixtures.NotRunOnVeil.class)).stream()
            .collect(
                Collectors.toMap(FunctionDefinition::name, f -> FunctionJson.of(f, "../app.jar")));
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures$NotRunOnVeil.queued',
         'bindings': [
           {'type': 'queueTrigger', 'direction': 'in', 'name': 'message', 'queueName': 'work'},
           {'type': 'cosmosDB', 'direction': 'out', 'name': '$return', 'connection': 'Cosmos', 'containerName': 'items',
            'databaseName': 'db'}]}
        """),
        docs.get("queued"));
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures$NotRunOnVeil.orchestrate',
         'bindings': [{'type': 'orchestrationTrigger', 'direction': 'in', 'name': 'context', 'orchestration': 'hello'}]}
        """),
        docs.get("orchestrate"));
    docs.forEach(
        (name, doc) -> assertEquals(List.of(), Schemas.violations(Schemas.FUNCTION, doc), name));
  }

  @Test
  void hostJsonNamesTheExtensionBundle() {
    ObjectNode host = AzurePackage.hostJson();
    assertEquals(List.of(), Schemas.violations(Schemas.HOST, host));
    assertEquals("[4.*, 5.0.0)", host.path("extensionBundle").path("version").asText());
  }
}
