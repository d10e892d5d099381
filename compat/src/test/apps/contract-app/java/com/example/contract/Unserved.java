package com.example.contract;

import com.example.durable.OrchestrationTrigger;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.CosmosDBInput;
import com.microsoft.azure.functions.annotation.CosmosDBTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.ServiceBusQueueOutput;
import java.util.List;
import java.util.Optional;

/** Functions whose bindings the host does not serve: each is listed as disabled, the rest of the app runs. */
public class Unserved {
  @FunctionName("orchestrator")
  public String orchestrator(@OrchestrationTrigger(name = "context") String context) {
    return context;
  }

  @FunctionName("activity")
  public String activity(@ActivityTrigger(name = "input") String input) {
    return input;
  }

  @FunctionName("onItems")
  public void onItems(@CosmosDBTrigger(name = "items", databaseName = "db", containerName = "c",
      connection = "CosmosConnection") List<String> items) {}

  @FunctionName("readItem")
  public String readItem(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request,
      @CosmosDBInput(name = "item", databaseName = "db", containerName = "c", id = "1",
          connection = "CosmosConnection") String item) {
    return item;
  }

  @FunctionName("enqueue")
  @ServiceBusQueueOutput(name = "message", queueName = "q", connection = "ServiceBusConnection")
  public String enqueue(@HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return request.getBody().orElse("");
  }
}
