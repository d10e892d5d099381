package dev.veil.deploy;

import com.microsoft.azure.functions.BrokerAuthenticationMode;
import com.microsoft.azure.functions.BrokerProtocol;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BlobInput;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.CosmosDBInput;
import com.microsoft.azure.functions.annotation.CosmosDBOutput;
import com.microsoft.azure.functions.annotation.CosmosDBTrigger;
import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.EventGridOutput;
import com.microsoft.azure.functions.annotation.EventGridTrigger;
import com.microsoft.azure.functions.annotation.EventHubOutput;
import com.microsoft.azure.functions.annotation.EventHubTrigger;
import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpOutput;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import com.microsoft.azure.functions.annotation.QueueOutput;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import com.microsoft.azure.functions.annotation.SendGridOutput;
import com.microsoft.azure.functions.annotation.ServiceBusQueueTrigger;
import com.microsoft.azure.functions.annotation.ServiceBusTopicOutput;
import com.microsoft.azure.functions.annotation.ServiceBusTopicTrigger;
import com.microsoft.azure.functions.annotation.StorageAccount;
import com.microsoft.azure.functions.annotation.TableInput;
import com.microsoft.azure.functions.annotation.TableOutput;
import com.microsoft.azure.functions.annotation.TwilioSmsOutput;
import com.microsoft.azure.functions.annotation.WarmupTrigger;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;

/**
 * One function per group of azure-functions-java-library 3.2.3 annotations, with attributes left at
 * their default and set, for comparing function.json with azure-functions-maven-plugin's rules.
 */
final class PluginFixtures {
  private PluginFixtures() {}

  public static class Http {
    @FunctionName("http-defaults")
    public HttpResponseMessage defaults(
        @HttpTrigger(name = "req") HttpRequestMessage<Optional<String>> request) {
      return null;
    }

    @FunctionName("http-output-parameter")
    public void outputParameter(
        @HttpTrigger(
                name = "req",
                methods = {HttpMethod.POST},
                dataType = "string",
                route = "items/{id}")
            HttpRequestMessage<Optional<String>> request,
        @HttpOutput(name = "res") OutputBinding<String> response) {}
  }

  public static class Storage {
    @FunctionName("storage-account")
    @StorageAccount("Shared")
    @FixedDelayRetry(strategy = "fixedDelay", maxRetryCount = 2, delayInterval = "00:00:05")
    public void storage(
        @QueueTrigger(name = "msg", queueName = "in") String msg,
        @BlobInput(name = "doc", path = "docs/{queueTrigger}", dataType = "binary") byte[] doc,
        @BlobOutput(name = "copy", path = "copies/{rand-guid}", connection = "Other")
            OutputBinding<byte[]> copy,
        @TableInput(
                name = "row",
                tableName = "items",
                partitionKey = "p",
                rowKey = "{queueTrigger}",
                take = "5",
                filter = "Priority gt 2")
            String row,
        @TableOutput(name = "rows", tableName = "items") OutputBinding<String> rows,
        @QueueOutput(name = "next", queueName = "out") OutputBinding<String> next) {}

    @FunctionName("blob-event-grid-source")
    @BlobOutput(name = "ignored", path = "never/written") // read only for non-void methods
    public void blobSource(
        @BlobTrigger(name = "file", path = "uploads/{name}", source = "EventGrid", connection = "S")
            byte[] file) {}
  }

  public static class Kafka {
    @FunctionName("kafka-secure")
    @ExponentialBackoffRetry(
        maxRetryCount = -1,
        minimumInterval = "00:00:01",
        maximumInterval = "00:00:30")
    public void kafka(
        @KafkaTrigger(
                name = "events",
                topic = "orders",
                brokerList = "%Brokers%",
                consumerGroup = "$Default",
                cardinality = Cardinality.MANY,
                dataType = "string",
                authenticationMode = BrokerAuthenticationMode.PLAIN,
                protocol = BrokerProtocol.SASLSSL,
                username = "%User%",
                password = "%Password%",
                avroSchema = "{\"type\":\"string\"}")
            String[] events,
        @KafkaOutput(
                name = "out",
                topic = "audit",
                brokerList = "%Brokers%",
                batchSize = 100,
                enableIdempotence = true,
                sslCaLocation = "ca.pem")
            OutputBinding<String> out) {}
  }

  public static class EventHubAndServiceBus {
    @FunctionName("event-hub")
    public void eventHub(
        @EventHubTrigger(name = "events", eventHubName = "hub", connection = "Hub") String[] events,
        @ServiceBusTopicOutput(
                name = "topic",
                topicName = "t",
                subscriptionName = "s",
                connection = "Bus")
            OutputBinding<String> topic) {}

    @FunctionName("service-bus-queue")
    @EventHubOutput(name = "ignored", eventHubName = "out", connection = "Hub")
    public String serviceBusQueue(
        @ServiceBusQueueTrigger(
                name = "msg",
                queueName = "q",
                connection = "Bus",
                isSessionsEnabled = true)
            String msg) {
      return msg;
    }

    @FunctionName("service-bus-topic")
    public void serviceBusTopic(
        @ServiceBusTopicTrigger(
                name = "msg",
                topicName = "t",
                subscriptionName = "s",
                connection = "Bus",
                cardinality = Cardinality.MANY)
            String[] msg) {}
  }

  public static class CosmosAndEventGrid {
    @FunctionName("cosmos")
    public void cosmos(
        @CosmosDBTrigger(
                name = "docs",
                databaseName = "db",
                containerName = "items",
                connection = "Cosmos",
                createLeaseContainerIfNotExists = true,
                leaseContainerName = "leases",
                feedPollDelay = 5000)
            String docs,
        @CosmosDBInput(
                name = "one",
                databaseName = "db",
                containerName = "items",
                connection = "Cosmos",
                id = "{id}",
                partitionKey = "{pk}")
            String one,
        @EventGridOutput(name = "grid", topicEndpointUri = "GridUri", topicKeySetting = "GridKey")
            OutputBinding<String> grid) {}

    @FunctionName("event-grid")
    @CosmosDBOutput(
        name = "ignored",
        databaseName = "db",
        containerName = "items",
        connection = "Cosmos",
        createIfNotExists = true)
    public String eventGrid(@EventGridTrigger(name = "event") String event) {
      return event;
    }

    @FunctionName("warmup-and-messages")
    public void warmup(
        @WarmupTrigger Object warmup,
        @SendGridOutput(
                name = "mail",
                apiKey = "SendGridKey",
                to = "a@example.org",
                from = "b@example.org",
                subject = "s",
                text = "t")
            OutputBinding<String> mail,
        @TwilioSmsOutput(
                name = "sms",
                accountSid = "Sid",
                authToken = "Token",
                to = "+1",
                from = "+2",
                body = "b")
            OutputBinding<String> sms) {}
  }

  public static class Custom {
    @FunctionName("custom")
    public void custom(
        @Fixtures.Orchestration(name = "ctx", orchestration = "o") String ctx,
        @SqlLike(name = "rows", commandText = "select 1") String rows,
        @Directed(name = "sink") OutputBinding<String> sink,
        @CustomBinding(name = "raw", type = "rawBinding", direction = "out")
            OutputBinding<String> raw) {}
  }

  /** Declared as the SQL library declares its input: enum, array and number attributes. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.PARAMETER)
  @CustomBinding(direction = "in", name = "", type = "sql")
  public @interface SqlLike {
    String name();

    String commandText();

    Cardinality commandType() default Cardinality.ONE;

    String[] parameters() default {};

    int timeout() default 30;
  }

  /** An annotation whose own type and direction attributes override its @CustomBinding's. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.PARAMETER)
  @CustomBinding(direction = "in", name = "", type = "placeholder")
  public @interface Directed {
    String name();

    String type() default "daprPublish";

    String direction() default "OUT";
  }
}
