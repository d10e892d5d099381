package dev.veil.triggers.kafka;

import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.Types;
import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;

/**
 * How records become an invocation, after {@code @KafkaTrigger}'s {@code cardinality} and {@code
 * dataType}.
 *
 * <p>As the Azure Kafka extension hands records to the Java worker: a String (or POJO, bound with
 * Gson) parameter gets the whole event as JSON ({@link KafkaEventJson}: Offset, Partition, Topic,
 * Timestamp, Value, Key, base64 Headers), a byte[] parameter or dataType "binary" the record
 * value's bytes, and with {@code avroSchema} the decoded record's fields as JSON ({@link
 * AvroRecords}). ONE: binding data {@code Key}, {@code Partition}, {@code Offset}, {@code
 * Timestamp}, {@code Topic}, {@code Headers}. MANY: the parameter is an array or List of those;
 * binding data {@code KeyArray}, {@code PartitionArray}, {@code OffsetArray}, {@code
 * TimestampArray}, {@code TopicArray}, {@code HeadersArray}.
 *
 * @param many cardinality MANY
 * @param binary dataType "binary": values are bytes, never decoded as text
 * @param maxBatchSize the most records in one MANY call
 * @param avroSchema the trigger's {@code avroSchema}, or null
 */
record KafkaBinding(boolean many, boolean binary, int maxBatchSize, Schema avroSchema) {

  int unitSize() {
    return many ? maxBatchSize : 1;
  }

  Invocation invocation(String functionName, List<KafkaEvent> unit) {
    Map<String, Object> data = new HashMap<>();
    Map<String, String> metadata =
        Map.of("kafka.source", unit.get(0).partitionId() + "@" + unit.get(0).offset());
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
      return new Invocation(
          functionName,
          UUID.randomUUID().toString(),
          parameter ->
              Conversions.convert(value(e, parameter.type()), parameter.type(), "trigger payload"),
          data,
          metadata);
    }
    int n = unit.size();
    String[] keys = new String[n];
    int[] partitions = new int[n];
    long[] offsets = new long[n];
    String[] timestamps = new String[n];
    String[] topics = new String[n];
    List<Map<String, String>> headers = new ArrayList<>(n);
    List<KafkaEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      KafkaEvent e = unit.get(i);
      keys[i] = e.keyText();
      partitions[i] = e.partition();
      offsets[i] = e.offset();
      timestamps[i] = Instant.ofEpochMilli(e.timestamp()).toString();
      topics[i] = e.topic();
      headers.add(e.headerText());
      events.add(e);
    }
    data.put("KeyArray", keys);
    data.put("PartitionArray", partitions);
    data.put("OffsetArray", offsets);
    data.put("TimestampArray", timestamps);
    data.put("TopicArray", topics);
    data.put("HeadersArray", headers);
    return new Invocation(
        functionName,
        UUID.randomUUID().toString(),
        parameter -> many(events, parameter),
        data,
        metadata);
  }

  /**
   * What the extension hands a parameter (or array element) of type {@code target} for one record.
   */
  private Object value(KafkaEvent e, Type target) {
    if (binary || Types.raw(target) == byte[].class) {
      return e.value();
    }
    return avroSchema != null ? AvroRecords.decode(avroSchema, e.value()) : KafkaEventJson.of(e);
  }

  /** Converts each record to the element type of an array or List parameter. */
  private Object many(List<KafkaEvent> values, FunctionParameter parameter) {
    Type type = parameter.type();
    Class<?> raw = Types.raw(type);
    if (raw.isArray()) {
      Type element =
          type instanceof GenericArrayType g ? g.getGenericComponentType() : raw.getComponentType();
      Object array = Array.newInstance(Types.raw(element), values.size());
      for (int i = 0; i < values.size(); i++) {
        Array.set(
            array, i, Conversions.convert(value(values.get(i), element), element, "record " + i));
      }
      return array;
    }
    if (List.class.isAssignableFrom(raw)) {
      Type element = parameter.typeArgument(0);
      List<Object> out = new ArrayList<>(values.size());
      for (int i = 0; i < values.size(); i++) {
        out.add(Conversions.convert(value(values.get(i), element), element, "record " + i));
      }
      return out;
    }
    throw InvocationFailure.badInput(
        "a Kafka trigger with cardinality MANY needs an array or List parameter, not "
            + raw.getSimpleName());
  }
}
