package dev.veil.triggers.startup;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import java.util.Optional;

/** An app with an HTTP function and a Kafka-triggered one, for the start-up order test. */
public class ReadinessFunctions {
  @FunctionName("ping")
  public String ping(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return "pong";
  }

  @FunctionName("consume")
  public void consume(
      @KafkaTrigger(
              name = "value",
              topic = "%ReadyTopic%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "%ReadyGroup%",
              dataType = "string")
          String value) {}
}
