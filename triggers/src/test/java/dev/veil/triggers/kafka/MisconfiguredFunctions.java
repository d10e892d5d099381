package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaTrigger;

/** Kafka functions whose configuration is wrong: the host must refuse each with a message naming why. */
public final class MisconfiguredFunctions {
  private MisconfiguredFunctions() {}

  public static class ManyWithoutArray {
    @FunctionName("manyWithoutArray")
    public void run(@KafkaTrigger(name = "v", topic = "t", brokerList = "", consumerGroup = "g",
        cardinality = Cardinality.MANY) String value) {
    }
  }

  public static class IllegalTopic {
    @FunctionName("illegalTopic")
    public void run(@KafkaTrigger(name = "v", topic = "no spaces allowed", brokerList = "", consumerGroup = "g")
        String value) {
    }
  }

  public static class UnsetTopicSetting {
    @FunctionName("unsetTopicSetting")
    public void run(@KafkaTrigger(name = "v", topic = "%NoSuchTopicSetting%", brokerList = "", consumerGroup = "g")
        String value) {
    }
  }
}
