package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;

/**
 * A Kafka-triggered function with no broker configured: it runs on the embedded in-process queue.
 */
public class EmbeddedFunctions {

  @FunctionName("embeddedEcho")
  public void echo(
      @KafkaTrigger(
              name = "value",
              topic = "embedded-in",
              brokerList = "",
              consumerGroup = "embedded")
          KafkaEntity event,
      @BindingName("Key") String key,
      @KafkaOutput(name = "out", topic = "embedded-out", brokerList = "%EmptyBrokerSetting%")
          OutputBinding<KafkaEntity> out) {
    if (event.Value.equals("fail")) {
      throw new IllegalStateException("told to fail");
    }
    // the extension's entity shape: Offset, Partition, Topic and Timestamp are required and not
    // written
    out.setValue(
        new KafkaEntity(
            0,
            0,
            "ignored",
            event.Timestamp,
            "echo " + event.Value,
            key,
            new KafkaEntity.KafkaHeaders[0]));
  }
}
