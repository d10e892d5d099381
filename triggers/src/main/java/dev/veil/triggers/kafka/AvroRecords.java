package dev.veil.triggers.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.InvocationFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * {@code avroSchema} on {@code @KafkaTrigger} / {@code @KafkaOutput}: record values are Avro
 * generic records in the Confluent wire format the Azure Kafka extension reads and writes with its
 * local schema registry (a zero byte, a 4-byte schema id, then the Avro binary; the id is not
 * looked up, the annotation's schema is used). The trigger hands the function the record's fields
 * as a JSON object (a String, or a POJO bound from it); the output takes a JSON object (a String, a
 * POJO, or a KafkaEntity whose Value is one) and encodes it.
 */
final class AvroRecords {
  private static final byte MAGIC = 0;
  private static final int SCHEMA_ID =
      1; // what the extension's local schema registry answers for every schema
  private static final int HEADER = 5;

  private AvroRecords() {}

  /** Parses an annotation's schema; a bad one is an IllegalArgumentException naming the problem. */
  static Schema parse(String schema, String what) {
    try {
      return new Schema.Parser().parse(schema);
    } catch (AvroRuntimeException e) {
      throw new IllegalArgumentException(
          what + " avroSchema is not a valid Avro schema: " + e.getMessage());
    }
  }

  /** A record value (wire format) as the JSON object of its fields. */
  static String decode(Schema schema, byte[] value) {
    if (value == null || value.length < HEADER || value[0] != MAGIC) {
      throw InvocationFailure.badInput(
          "the record value is not Avro in the Confluent wire format (a zero byte,"
              + " a schema id, the binary record) that avroSchema expects");
    }
    try {
      Object datum =
          new GenericDatumReader<Object>(schema)
              .read(
                  null,
                  DecoderFactory.get().binaryDecoder(value, HEADER, value.length - HEADER, null));
      return toJson(datum).toString();
    } catch (IOException | AvroRuntimeException e) {
      throw InvocationFailure.badInput(
          "the record value does not decode with avroSchema "
              + schema.getFullName()
              + ": "
              + e.getMessage());
    }
  }

  /** Encodes a JSON text with {@code schema} into the wire format. */
  static byte[] encode(Schema schema, byte[] json) {
    JsonNode node;
    try {
      node = Conversions.json().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "a Kafka output with avroSchema takes a JSON object, not: " + e.getMessage());
    }
    Object datum =
        toDatum(schema, node == null ? JsonNodeFactory.instance.nullNode() : node, "value");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(MAGIC);
    out.writeBytes(ByteBuffer.allocate(4).putInt(SCHEMA_ID).array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<Object>(schema).write(datum, encoder);
      encoder.flush();
    } catch (IOException | AvroRuntimeException e) {
      throw new IllegalArgumentException(
          "the output does not encode with avroSchema "
              + schema.getFullName()
              + ": "
              + e.getMessage());
    }
    return out.toByteArray();
  }

  private static JsonNode toJson(Object datum) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (datum == null) return f.nullNode();
    if (datum instanceof GenericRecord record) {
      ObjectNode object = f.objectNode();
      for (Schema.Field field : record.getSchema().getFields()) {
        object.set(field.name(), toJson(record.get(field.pos())));
      }
      return object;
    }
    if (datum instanceof Map<?, ?> map) {
      ObjectNode object = f.objectNode();
      map.forEach((k, v) -> object.set(k.toString(), toJson(v)));
      return object;
    }
    if (datum instanceof Collection<?> items) {
      ArrayNode array = f.arrayNode();
      items.forEach(v -> array.add(toJson(v)));
      return array;
    }
    if (datum instanceof ByteBuffer bytes) {
      byte[] copy = new byte[bytes.remaining()];
      bytes.duplicate().get(copy);
      return f.textNode(Base64.getEncoder().encodeToString(copy));
    }
    if (datum instanceof GenericFixed fixed)
      return f.textNode(Base64.getEncoder().encodeToString(fixed.bytes()));
    if (datum instanceof Integer i) return f.numberNode(i);
    if (datum instanceof Long l) return f.numberNode(l);
    if (datum instanceof Float x) return f.numberNode(x);
    if (datum instanceof Double d) return f.numberNode(d);
    if (datum instanceof Boolean b) return f.booleanNode(b);
    return f.textNode(datum.toString()); // strings (Utf8) and enum symbols
  }

  private static Object toDatum(Schema schema, JsonNode node, String path) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!node.isObject()) throw mismatch(schema, node, path);
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
          JsonNode value = node.get(field.name());
          if (value == null && field.hasDefaultValue()) {
            record.put(field.pos(), GenericData.get().getDefaultValue(field));
          } else {
            record.put(
                field.pos(),
                toDatum(
                    field.schema(),
                    value == null ? JsonNodeFactory.instance.nullNode() : value,
                    path + "." + field.name()));
          }
        }
        return record;
      }
      case UNION -> {
        for (Schema branch : schema.getTypes()) {
          try {
            return toDatum(branch, node, path);
          } catch (IllegalArgumentException tryNext) {
            // the next branch may fit
          }
        }
        throw mismatch(schema, node, path);
      }
      case NULL -> {
        if (!node.isNull()) throw mismatch(schema, node, path);
        return null;
      }
      case STRING -> {
        if (!node.isTextual()) throw mismatch(schema, node, path);
        return node.asText();
      }
      case ENUM -> {
        if (!node.isTextual() || !schema.hasEnumSymbol(node.asText()))
          throw mismatch(schema, node, path);
        return new GenericData.EnumSymbol(schema, node.asText());
      }
      case BOOLEAN -> {
        if (!node.isBoolean()) throw mismatch(schema, node, path);
        return node.asBoolean();
      }
      case INT -> {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) throw mismatch(schema, node, path);
        return node.intValue();
      }
      case LONG -> {
        if (!node.canConvertToLong() || !node.isIntegralNumber())
          throw mismatch(schema, node, path);
        return node.longValue();
      }
      case FLOAT -> {
        if (!node.isNumber()) throw mismatch(schema, node, path);
        return node.floatValue();
      }
      case DOUBLE -> {
        if (!node.isNumber()) throw mismatch(schema, node, path);
        return node.doubleValue();
      }
      case BYTES -> {
        if (!node.isTextual()) throw mismatch(schema, node, path);
        return ByteBuffer.wrap(base64(node.asText(), path));
      }
      case FIXED -> {
        if (!node.isTextual()) throw mismatch(schema, node, path);
        byte[] bytes = base64(node.asText(), path);
        if (bytes.length != schema.getFixedSize()) throw mismatch(schema, node, path);
        return new GenericData.Fixed(schema, bytes);
      }
      case ARRAY -> {
        if (!node.isArray()) throw mismatch(schema, node, path);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++)
          items.add(toDatum(schema.getElementType(), node.get(i), path + "[" + i + "]"));
        return new GenericData.Array<>(schema, items);
      }
      case MAP -> {
        if (!node.isObject()) throw mismatch(schema, node, path);
        Map<String, Object> map = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          map.put(
              e.getKey(), toDatum(schema.getValueType(), e.getValue(), path + "." + e.getKey()));
        }
        return map;
      }
      default -> throw mismatch(schema, node, path);
    }
  }

  private static byte[] base64(String text, String path) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + " is not base64 for Avro bytes");
    }
  }

  private static IllegalArgumentException mismatch(Schema schema, JsonNode node, String path) {
    return new IllegalArgumentException(
        path
            + " ("
            + node.getNodeType().name().toLowerCase()
            + ") does not fit Avro type "
            + schema.getType().getName());
  }
}
