package dev.veil.triggers.kafka;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Kafka record as the trigger sees it, from a broker or from the embedded queue.
 *
 * @param headers header names and values in record order (a name may repeat)
 */
public record KafkaEvent(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    List<Map.Entry<String, byte[]>> headers) {

  public KafkaEvent {
    headers = List.copyOf(headers);
  }

  public String keyText() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /**
   * Headers as text, the last value winning for repeated names (what
   * {@code @BindingName("Headers")} gets).
   */
  public Map<String, String> headerText() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> h : headers) {
      out.put(
          h.getKey(),
          h.getValue() == null ? null : new String(h.getValue(), StandardCharsets.UTF_8));
    }
    return out;
  }

  public TopicPartitionId partitionId() {
    return new TopicPartitionId(topic, partition);
  }

  /** A topic partition. */
  public record TopicPartitionId(String topic, int partition) {
    @Override
    public String toString() {
      return topic + "-" + partition;
    }
  }
}
