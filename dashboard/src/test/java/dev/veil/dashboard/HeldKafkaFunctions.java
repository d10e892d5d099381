package dev.veil.dashboard;

import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka-triggered function that takes records until it has had one from every partition of its
 * topic, then holds them until the test lets go: by then the consumer has fetched (and reported lag
 * for) every partition, and the records still waiting are lag on the dashboard's Kafka page.
 */
public class HeldKafkaFunctions {
  static final String GROUP = "veil-dashboard-lag";
  static final int PARTITIONS = 2;
  static final CountDownLatch RELEASE = new CountDownLatch(1);
  private static final Set<Integer> SEEN = ConcurrentHashMap.newKeySet();

  @FunctionName("held")
  public void held(
      @KafkaTrigger(
              name = "value",
              topic = "%LagTopic%",
              brokerList = "%KafkaBrokers%",
              consumerGroup = GROUP,
              dataType = "string")
          String value,
      @BindingName("Partition") int partition)
      throws InterruptedException {
    SEEN.add(partition);
    if (SEEN.size() >= PARTITIONS) RELEASE.await(3, TimeUnit.MINUTES);
  }
}
