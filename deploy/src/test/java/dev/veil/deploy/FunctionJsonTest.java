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
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures.Covering.nightly',
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
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures.Covering.copy',
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
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures.Covering.echo',
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
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures.Covering.enqueue',
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
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures.NotRunOnVeil.queued',
         'bindings': [
           {'type': 'queueTrigger', 'direction': 'in', 'name': 'message', 'queueName': 'work'},
           {'type': 'cosmosDB', 'direction': 'out', 'name': '$return', 'connection': 'Cosmos', 'containerName': 'items',
            'databaseName': 'db'}]}
        """),
        docs.get("queued"));
    assertEquals(
        json(
            """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.Fixtures.NotRunOnVeil.orchestrate',
         'bindings': [{'type': 'orchestrationTrigger', 'direction': 'in', 'name': 'context', 'orchestration': 'hello'}]}
        """),
        docs.get("orchestrate"));
    docs.forEach(
        (name, doc) -> assertEquals(List.of(), Schemas.violations(Schemas.FUNCTION, doc), name));
  }

  // Expected documents below follow azure-functions-maven-plugin's generator (azure-toolkit-lib
  // AnnotationHandlerImpl, Binding, BindingEnum): an attribute is written when its value is not
  // equals() to its default (arrays always), enums by name, HttpTrigger.authLevel and
  // EventHubTrigger.cardinality always, @StorageAccount fills blob/queue/table connections, a
  // method's own binding annotations count only when it returns a value.
  private static final Map<String, ObjectNode> PLUGIN_DOCS =
      scanner()
          .definitions(
              List.of(
                  PluginFixtures.Http.class,
                  PluginFixtures.Storage.class,
                  PluginFixtures.Kafka.class,
                  PluginFixtures.EventHubAndServiceBus.class,
                  PluginFixtures.CosmosAndEventGrid.class,
                  PluginFixtures.Custom.class))
          .stream()
          .collect(
              Collectors.toMap(FunctionDefinition::name, f -> FunctionJson.of(f, "../app.jar")));

  private static void assertPluginDoc(String function, String expected) throws Exception {
    assertEquals(json(expected), PLUGIN_DOCS.get(function), function);
  }

  @Test
  void httpTriggerWritesMethodsAndAuthLevelAtTheirDefaultsAndHttpOutputParameters()
      throws Exception {
    assertPluginDoc(
        "http-defaults",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.Http.defaults',
         'bindings': [
           {'type': 'httpTrigger', 'direction': 'in', 'name': 'req', 'methods': [], 'authLevel': 'FUNCTION'},
           {'type': 'http', 'direction': 'out', 'name': '$return'}]}
        """);
    assertPluginDoc(
        "http-output-parameter",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.Http.outputParameter',
         'bindings': [
           {'type': 'httpTrigger', 'direction': 'in', 'name': 'req', 'methods': ['POST'], 'authLevel': 'FUNCTION',
            'dataType': 'string', 'route': 'items/{id}'},
           {'type': 'http', 'direction': 'out', 'name': 'res'}]}
        """);
  }

  @Test
  void storageAccountFillsBlobQueueAndTableConnectionsAndVoidMethodsDropMethodBindings()
      throws Exception {
    assertPluginDoc(
        "storage-account",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.Storage.storage',
         'bindings': [
           {'type': 'queueTrigger', 'direction': 'in', 'name': 'msg', 'queueName': 'in', 'connection': 'Shared'},
           {'type': 'blob', 'direction': 'in', 'name': 'doc', 'path': 'docs/{queueTrigger}', 'dataType': 'binary',
            'connection': 'Shared'},
           {'type': 'blob', 'direction': 'out', 'name': 'copy', 'path': 'copies/{rand-guid}', 'connection': 'Other'},
           {'type': 'table', 'direction': 'in', 'name': 'row', 'tableName': 'items', 'partitionKey': 'p',
            'rowKey': '{queueTrigger}', 'take': '5', 'filter': 'Priority gt 2', 'connection': 'Shared'},
           {'type': 'table', 'direction': 'out', 'name': 'rows', 'tableName': 'items', 'connection': 'Shared'},
           {'type': 'queue', 'direction': 'out', 'name': 'next', 'queueName': 'out', 'connection': 'Shared'}],
         'retry': {'strategy': 'fixedDelay', 'maxRetryCount': 2, 'delayInterval': '00:00:05'}}
        """);
    assertPluginDoc(
        "blob-event-grid-source",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.Storage.blobSource',
         'bindings': [
           {'type': 'blobTrigger', 'direction': 'in', 'name': 'file', 'path': 'uploads/{name}', 'source': 'EventGrid',
            'connection': 'S'}]}
        """);
  }

  @Test
  void kafkaWritesSetAttributesAndEnumsByNameAndOmitsDefaults() throws Exception {
    assertPluginDoc(
        "kafka-secure",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.Kafka.kafka',
         'bindings': [
           {'type': 'kafkaTrigger', 'direction': 'in', 'name': 'events', 'topic': 'orders', 'brokerList': '%Brokers%',
            'consumerGroup': '$Default', 'cardinality': 'MANY', 'dataType': 'string', 'authenticationMode': 'PLAIN',
            'protocol': 'SASLSSL', 'username': '%User%', 'password': '%Password%',
            'avroSchema': '{\\'type\\':\\'string\\'}'},
           {'type': 'kafka', 'direction': 'out', 'name': 'out', 'topic': 'audit', 'brokerList': '%Brokers%',
            'batchSize': 100, 'enableIdempotence': true, 'sslCaLocation': 'ca.pem'}],
         'retry': {'strategy': 'exponentialBackoff', 'maxRetryCount': -1, 'minimumInterval': '00:00:01',
                   'maximumInterval': '00:00:30'}}
        """);
  }

  @Test
  void eventHubCardinalityIsAlwaysWrittenAndServiceBusNamesOneTypeForQueuesAndTopics()
      throws Exception {
    assertPluginDoc(
        "event-hub",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.EventHubAndServiceBus.eventHub',
         'bindings': [
           {'type': 'eventHubTrigger', 'direction': 'in', 'name': 'events', 'eventHubName': 'hub', 'connection': 'Hub',
            'cardinality': 'MANY'},
           {'type': 'serviceBus', 'direction': 'out', 'name': 'topic', 'topicName': 't', 'subscriptionName': 's',
            'connection': 'Bus'}]}
        """);
    assertPluginDoc(
        "service-bus-queue",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.EventHubAndServiceBus.serviceBusQueue',
         'bindings': [
           {'type': 'serviceBusTrigger', 'direction': 'in', 'name': 'msg', 'queueName': 'q', 'connection': 'Bus',
            'isSessionsEnabled': true},
           {'type': 'eventHub', 'direction': 'out', 'name': '$return', 'eventHubName': 'out', 'connection': 'Hub'}]}
        """);
    assertPluginDoc(
        "service-bus-topic",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.EventHubAndServiceBus.serviceBusTopic',
         'bindings': [
           {'type': 'serviceBusTrigger', 'direction': 'in', 'name': 'msg', 'topicName': 't', 'subscriptionName': 's',
            'connection': 'Bus', 'cardinality': 'MANY'}]}
        """);
  }

  @Test
  void cosmosDbEventGridWarmupSendGridAndTwilio() throws Exception {
    assertPluginDoc(
        "cosmos",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.CosmosAndEventGrid.cosmos',
         'bindings': [
           {'type': 'cosmosDBTrigger', 'direction': 'in', 'name': 'docs', 'databaseName': 'db', 'containerName': 'items',
            'connection': 'Cosmos', 'createLeaseContainerIfNotExists': true, 'leaseContainerName': 'leases'},
           {'type': 'cosmosDB', 'direction': 'in', 'name': 'one', 'databaseName': 'db', 'containerName': 'items',
            'connection': 'Cosmos', 'id': '{id}', 'partitionKey': '{pk}'},
           {'type': 'eventGrid', 'direction': 'out', 'name': 'grid', 'topicEndpointUri': 'GridUri',
            'topicKeySetting': 'GridKey'}]}
        """);
    assertPluginDoc(
        "event-grid",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.CosmosAndEventGrid.eventGrid',
         'bindings': [
           {'type': 'eventGridTrigger', 'direction': 'in', 'name': 'event'},
           {'type': 'cosmosDB', 'direction': 'out', 'name': '$return', 'databaseName': 'db', 'containerName': 'items',
            'connection': 'Cosmos', 'createIfNotExists': true}]}
        """);
    assertPluginDoc(
        "warmup-and-messages",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.CosmosAndEventGrid.warmup',
         'bindings': [
           {'type': 'warmupTrigger', 'direction': 'in', 'name': 'warmupContext'},
           {'type': 'sendGrid', 'direction': 'out', 'name': 'mail', 'apiKey': 'SendGridKey', 'to': 'a@example.org',
            'from': 'b@example.org', 'subject': 's', 'text': 't'},
           {'type': 'twilioSms', 'direction': 'out', 'name': 'sms', 'accountSid': 'Sid', 'authToken': 'Token',
            'to': '+1', 'from': '+2', 'body': 'b'}]}
        """);
  }

  @Test
  void customBindingsTakeTypeAndDirectionFromTheAnnotationsOwnAttributesFirst() throws Exception {
    assertPluginDoc(
        "custom",
        """
        {'scriptFile': '../app.jar', 'entryPoint': 'dev.veil.deploy.PluginFixtures.Custom.custom',
         'bindings': [
           {'type': 'orchestrationTrigger', 'direction': 'in', 'name': 'ctx', 'orchestration': 'o'},
           {'type': 'sql', 'direction': 'in', 'name': 'rows', 'commandText': 'select 1', 'parameters': []},
           {'type': 'daprPublish', 'direction': 'out', 'name': 'sink'},
           {'type': 'rawBinding', 'direction': 'out', 'name': 'raw'}]}
        """);
  }

  @Test
  void hostJsonNamesTheExtensionBundle() {
    ObjectNode host = AzurePackage.hostJson();
    assertEquals(List.of(), Schemas.violations(Schemas.HOST, host));
    assertEquals("[4.*, 5.0.0)", host.path("extensionBundle").path("version").asText());
  }
}
