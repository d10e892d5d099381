package dev.veil.triggers.kafka.crash;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;

/**
 * Run in host processes by KafkaCrashRecoveryTest: echoes each record with the name of the host
 * that took it.
 */
public class CrashFunctions {
  @FunctionName("crashEcho")
  public void echo(
      @KafkaTrigger(
              name = "value",
              topic = "%CrashTopic%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "%CrashGroup%",
              dataType = "string")
          String event,
      @KafkaOutput(name = "out", topic = "%CrashOut%", brokerList = "%KafkaBrokers%")
          OutputBinding<String> out) {
    // the trigger hands the extension's event JSON; its Value is the record value
    String value =
        com.google.gson.JsonParser.parseString(event).getAsJsonObject().get("Value").getAsString();
    out.setValue(value + "@" + System.getenv("CRASH_HOST"));
  }
}
