package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;

/** A Kafka-triggered function with no broker configured: it runs on the embedded in-process queue. */
public class EmbeddedFunctions {

  @FunctionName("embeddedEcho")
  public void echo(
      @KafkaTrigger(name = "value", topic = "embedded-in", brokerList = "%NoSuchBrokerSetting%",
          consumerGroup = "embedded") String value,
      @BindingName("Key") String key,
      @KafkaOutput(name = "out", topic = "embedded-out", brokerList = "%NoSuchBrokerSetting%") OutputBinding<String> out) {
    if (value.equals("fail")) {
      throw new IllegalStateException("told to fail");
    }
    out.setValue("{\"Key\":\"" + key + "\",\"Value\":\"echo " + value + "\"}");
  }
}
