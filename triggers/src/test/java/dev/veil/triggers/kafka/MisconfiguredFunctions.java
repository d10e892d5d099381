package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.BrokerAuthenticationMode;
import com.microsoft.azure.functions.BrokerProtocol;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaTrigger;

/**
 * Kafka functions whose configuration is wrong: the host must refuse each with a message naming
 * why.
 */
public final class MisconfiguredFunctions {
  private MisconfiguredFunctions() {}

  public static class ManyWithoutArray {
    @FunctionName("manyWithoutArray")
    public void run(
        @KafkaTrigger(
                name = "v",
                topic = "t",
                brokerList = "",
                consumerGroup = "g",
                cardinality = Cardinality.MANY)
            String value) {}
  }

  public static class IllegalTopic {
    @FunctionName("illegalTopic")
    public void run(
        @KafkaTrigger(name = "v", topic = "no spaces allowed", brokerList = "", consumerGroup = "g")
            String value) {}
  }

  public static class UnsetTopicSetting {
    @FunctionName("unsetTopicSetting")
    public void run(
        @KafkaTrigger(
                name = "v",
                topic = "%NoSuchTopicSetting%",
                brokerList = "",
                consumerGroup = "g")
            String value) {}
  }

  public static class UnsetBrokerSetting {
    @FunctionName("unsetBrokerSetting")
    public void run(
        @KafkaTrigger(
                name = "v",
                topic = "t",
                brokerList = "%NoSuchBrokerSetting%",
                consumerGroup = "g")
            String value) {}
  }

  public static class SaslWithoutMechanism {
    @FunctionName("saslWithoutMechanism")
    public void run(
        @KafkaTrigger(
                name = "v",
                topic = "t",
                brokerList = "127.0.0.1:1",
                consumerGroup = "g",
                protocol = BrokerProtocol.SASLSSL,
                username = "u",
                password = "p")
            String value) {}
  }

  public static class UnsetPasswordSetting {
    @FunctionName("unsetPasswordSetting")
    public void run(
        @KafkaTrigger(
                name = "v",
                topic = "t",
                brokerList = "127.0.0.1:1",
                consumerGroup = "g",
                protocol = BrokerProtocol.SASLSSL,
                authenticationMode = BrokerAuthenticationMode.SCRAMSHA256,
                username = "u",
                password = "%NoSuchPassword%")
            String value) {}
  }

  public static class BadAvroSchema {
    @FunctionName("badAvroSchema")
    public void run(
        @KafkaTrigger(
                name = "v",
                topic = "t",
                brokerList = "",
                consumerGroup = "g",
                avroSchema = "{\"type\": \"record\"}")
            String value) {}
  }
}
