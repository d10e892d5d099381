package dev.veil.triggers.kafka;

import com.google.gson.Gson;
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
  private static final Gson GSON = new Gson();

  static List<String> seen(String function) {
    return SEEN.computeIfAbsent(function, f -> new CopyOnWriteArrayList<>());
  }

  @FunctionName("ordered")
  public void ordered(
      @KafkaTrigger(
              name = "value",
              topic = "%OrderedTopic%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "veil-ordered",
              dataType = "string")
          KafkaEntity event,
      @BindingName("Key") String key,
      @BindingName("Partition") int partition,
      @BindingName("Offset") long offset)
      throws InterruptedException {
    Thread.sleep(1); // long enough that partitions overlap and the small worker pool fills up
    if (event.Partition != partition || event.Offset != offset || !event.Key.equals(key)) {
      throw new IllegalStateException("the event and its binding data disagree");
    }
    seen("ordered").add(partition + ":" + offset + ":" + key + ":" + event.Value);
  }

  @FunctionName("echoMany")
  public void echoMany(
      @KafkaTrigger(
              name = "values",
              topic = "%ManyIn%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "veil-many",
              cardinality = Cardinality.MANY,
              dataType = "string")
          List<String> events,
      @KafkaOutput(name = "out", topic = "%ManyOut%", brokerList = "%KafkaBrokers%")
          OutputBinding<String[]> out) {
    seen("echoMany").add(Integer.toString(events.size()));
    String[] upper = new String[events.size()];
    for (int i = 0;
        i < upper.length;
        i++) { // as Azure's sample does: each element is the event as JSON
      upper[i] = GSON.fromJson(events.get(i), KafkaEntity.class).Value.toUpperCase(Locale.ROOT);
    }
    out.setValue(upper);
  }

  @FunctionName("failing")
  @FixedDelayRetry(maxRetryCount = 2, delayInterval = "00:00:00.010")
  public void failing(
      @KafkaTrigger(
              name = "value",
              topic = "%FailingTopic%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = "veil-failing")
          String event) {
    String value = GSON.fromJson(event, KafkaEntity.class).Value;
    if (value.startsWith("bad")) {
      seen("failing-attempts").add(value);
      throw new IllegalStateException("cannot handle " + value);
    }
    seen("failing").add(value);
  }
}
