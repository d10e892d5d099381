package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.TriggerInput;
import dev.veil.runtime.spi.Types;
import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How records become an invocation, after {@code @KafkaTrigger}'s {@code cardinality} and {@code dataType}.
 *
 * <p>ONE: the parameter gets the record value (String, byte[], or a POJO read from JSON); binding data
 * {@code Key}, {@code Partition}, {@code Offset}, {@code Timestamp}, {@code Topic}, {@code Headers}. MANY: the
 * parameter is an array or List of those values; binding data {@code KeyArray}, {@code PartitionArray},
 * {@code OffsetArray}, {@code TimestampArray}, {@code TopicArray}, {@code HeadersArray}.
 *
 * @param many cardinality MANY
 * @param binary dataType "binary": values are bytes, never decoded as text
 * @param maxBatchSize the most records in one MANY call
 */
record KafkaBinding(boolean many, boolean binary, int maxBatchSize) {

  int unitSize() {
    return many ? maxBatchSize : 1;
  }

  Invocation invocation(String functionName, List<KafkaEvent> unit) {
    Map<String, Object> data = new HashMap<>();
    Map<String, String> metadata = Map.of("kafka.source", unit.get(0).partitionId() + "@" + unit.get(0).offset());
    if (!many) {
      KafkaEvent e = unit.get(0);
      if (e.key() != null) {
        data.put("Key", e.keyText());
      }
      data.put("Partition", e.partition());
      data.put("Offset", e.offset());
      data.put("Timestamp", Instant.ofEpochMilli(e.timestamp()).toString());
      data.put("Topic", e.topic());
      data.put("Headers", e.headerText());
      return new Invocation(functionName, UUID.randomUUID().toString(), TriggerInput.of(value(e)), data, metadata);
    }
    int n = unit.size();
    String[] keys = new String[n];
    int[] partitions = new int[n];
    long[] offsets = new long[n];
    String[] timestamps = new String[n];
    String[] topics = new String[n];
    List<Map<String, String>> headers = new ArrayList<>(n);
    List<Object> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      KafkaEvent e = unit.get(i);
      keys[i] = e.keyText();
      partitions[i] = e.partition();
      offsets[i] = e.offset();
      timestamps[i] = Instant.ofEpochMilli(e.timestamp()).toString();
      topics[i] = e.topic();
      headers.add(e.headerText());
      values.add(value(e));
    }
    data.put("KeyArray", keys);
    data.put("PartitionArray", partitions);
    data.put("OffsetArray", offsets);
    data.put("TimestampArray", timestamps);
    data.put("TopicArray", topics);
    data.put("HeadersArray", headers);
    return new Invocation(functionName, UUID.randomUUID().toString(), parameter -> many(values, parameter),
        data, metadata);
  }

  private Object value(KafkaEvent e) {
    return binary || e.value() == null ? e.value() : new String(e.value(), StandardCharsets.UTF_8);
  }

  /** Converts each value to the element type of an array or List parameter. */
  private static Object many(List<Object> values, FunctionParameter parameter) {
    Type type = parameter.type();
    Class<?> raw = Types.raw(type);
    if (raw.isArray()) {
      Type element = type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
      Object array = Array.newInstance(Types.raw(element), values.size());
      for (int i = 0; i < values.size(); i++) {
        Array.set(array, i, Conversions.convert(values.get(i), element, "record " + i));
      }
      return array;
    }
    if (List.class.isAssignableFrom(raw)) {
      Type element = parameter.typeArgument(0);
      List<Object> out = new ArrayList<>(values.size());
      for (int i = 0; i < values.size(); i++) {
        out.add(Conversions.convert(values.get(i), element, "record " + i));
      }
      return out;
    }
    throw InvocationFailure.badInput("a Kafka trigger with cardinality MANY needs an array or List parameter, not "
        + raw.getSimpleName());
  }
}
