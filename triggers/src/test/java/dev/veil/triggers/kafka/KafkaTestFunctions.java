package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Functions the Kafka trigger tests run; each records what it saw under its function name. */
public class KafkaTestFunctions {
  static final Map<String, List<String>> SEEN = new ConcurrentHashMap<>();

  static List<String> seen(String function) {
    return SEEN.computeIfAbsent(function, f -> new CopyOnWriteArrayList<>());
  }

  @FunctionName("ordered")
  public void ordered(
      @KafkaTrigger(name = "value", topic = "%OrderedTopic%", brokerList = "%KafkaBrokers%",
          consumerGroup = "veil-ordered", dataType = "string") String value,
      @BindingName("Key") String key, @BindingName("Partition") int partition, @BindingName("Offset") long offset)
      throws InterruptedException {
    Thread.sleep(1); // long enough that partitions overlap and the small worker pool fills up
    seen("ordered").add(partition + ":" + offset + ":" + key + ":" + value);
  }

  @FunctionName("echoMany")
  public void echoMany(
      @KafkaTrigger(name = "values", topic = "%ManyIn%", brokerList = "%KafkaBrokers%", consumerGroup = "veil-many",
          cardinality = Cardinality.MANY, dataType = "string") String[] values,
      @KafkaOutput(name = "out", topic = "%ManyOut%", brokerList = "%KafkaBrokers%") OutputBinding<String[]> out) {
    seen("echoMany").add(Integer.toString(values.length));
    String[] upper = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      upper[i] = values[i].toUpperCase(Locale.ROOT);
    }
    out.setValue(upper);
  }

  @FunctionName("failing")
  @FixedDelayRetry(maxRetryCount = 2, delayInterval = "00:00:00.010")
  public void failing(
      @KafkaTrigger(name = "value", topic = "%FailingTopic%", brokerList = "%KafkaBrokers%",
          consumerGroup = "veil-failing") String value) {
    if (value.startsWith("bad")) {
      seen("failing-attempts").add(value);
      throw new IllegalStateException("cannot handle " + value);
    }
    seen("failing").add(value);
  }
}
