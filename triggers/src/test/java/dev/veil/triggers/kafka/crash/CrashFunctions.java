package dev.veil.triggers.kafka.crash;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;

/** Run in host processes by KafkaCrashRecoveryTest: echoes each record with the name of the host that took it. */
public class CrashFunctions {
  @FunctionName("crashEcho")
  public void echo(
      @KafkaTrigger(name = "value", topic = "%CrashTopic%", brokerList = "%KafkaBrokers%", consumerGroup = "%CrashGroup%",
          dataType = "string") String value,
      @KafkaOutput(name = "out", topic = "%CrashOut%", brokerList = "%KafkaBrokers%") OutputBinding<String> out) {
    out.setValue(value + "@" + System.getenv("CRASH_HOST"));
  }
}
