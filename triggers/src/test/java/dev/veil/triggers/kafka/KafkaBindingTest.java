package dev.veil.triggers.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.InvocationFailure;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * What a Kafka trigger hands each parameter type, as the Azure Kafka extension does for the Java
 * worker.
 */
class KafkaBindingTest {
  private static final String PAYMENT =
      "{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"test\",\"fields\":["
          + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"double\"},"
          + "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null},"
          + "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}]}";

  /** Parameter shapes of Azure's samples. */
  @SuppressWarnings("unused")
  static final class Shapes {
    void text(String event) {}

    void entity(KafkaEntity event) {}

    void bytes(byte[] value) {}

    void textList(List<String> events) {}

    void entityArray(KafkaEntity[] events) {}

    void payment(Payment payment) {}
  }

  /** The sample's Avro POJO: no no-argument constructor. */
  static final class Payment {
    String id;
    double amount;
    String note;
    List<String> tags;

    Payment(String id) {
      this.id = id;
    }
  }

  private static FunctionParameter parameter(String method) {
    Method m =
        java.util.Arrays.stream(Shapes.class.getDeclaredMethods())
            .filter(x -> x.getName().equals(method))
            .findFirst()
            .orElseThrow();
    return new FunctionParameter(0, "p", m.getGenericParameterTypes()[0], List.of());
  }

  private static KafkaEvent event(long offset, long timestamp, String key, byte[] value) {
    return new KafkaEvent(
        "orders",
        2,
        offset,
        timestamp,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value,
        List.of(
            new AbstractMap.SimpleImmutableEntry<>(
                "source", "compat".getBytes(StandardCharsets.UTF_8)),
            new AbstractMap.SimpleImmutableEntry<>("raw", new byte[] {(byte) 0xff, 0})));
  }

  private static Object bind(KafkaBinding binding, String method, KafkaEvent... events) {
    return binding.invocation("f", List.of(events)).trigger().bind(parameter(method));
  }

  private static final KafkaBinding ONE = new KafkaBinding(false, false, 64, null);
  private static final KafkaBinding MANY = new KafkaBinding(true, false, 64, null);

  @Test
  void aStringParameterGetsTheWholeEventAsJsonWithBase64Headers() {
    long at = Instant.parse("2024-05-01T10:20:30.120Z").toEpochMilli();
    String json =
        (String)
            bind(ONE, "text", event(41, at, "k1", "{\"n\":1}".getBytes(StandardCharsets.UTF_8)));
    JsonObject event = JsonParser.parseString(json).getAsJsonObject();
    assertEquals(
        List.of("Offset", "Partition", "Topic", "Timestamp", "Value", "Key", "Headers"),
        List.copyOf(event.keySet()));
    assertEquals(41, event.get("Offset").getAsLong());
    assertEquals(2, event.get("Partition").getAsInt());
    assertEquals("orders", event.get("Topic").getAsString());
    assertEquals(
        "2024-05-01T10:20:30.12Z",
        event.get("Timestamp").getAsString(),
        "Json.NET's UTC DateTime form");
    assertEquals(
        "{\"n\":1}", event.get("Value").getAsString(), "the value stays text inside the event");
    assertEquals("k1", event.get("Key").getAsString());
    JsonObject raw = event.getAsJsonArray("Headers").get(1).getAsJsonObject();
    assertEquals("raw", raw.get("Key").getAsString());
    assertArrayEquals(
        new byte[] {(byte) 0xff, 0}, Base64.getDecoder().decode(raw.get("Value").getAsString()));
  }

  @Test
  void timestampsDropZeroFractionDigitsAsJsonNetDoes() {
    assertEquals(
        "2024-05-01T10:20:30Z",
        KafkaEventJson.timestamp(Instant.parse("2024-05-01T10:20:30Z").toEpochMilli()));
    assertEquals(
        "2024-05-01T10:20:30.5Z",
        KafkaEventJson.timestamp(Instant.parse("2024-05-01T10:20:30.500Z").toEpochMilli()));
    assertEquals(
        "2024-05-01T10:20:30.007Z",
        KafkaEventJson.timestamp(Instant.parse("2024-05-01T10:20:30.007Z").toEpochMilli()));
  }

  @Test
  void aPojoWithoutNoArgConstructorBindsFromTheEventAsGsonWould() {
    KafkaEvent e = event(7, 0, null, "hello".getBytes(StandardCharsets.UTF_8));
    KafkaEntity bound = (KafkaEntity) bind(ONE, "entity", e);
    KafkaEntity gson = new Gson().fromJson(KafkaEventJson.of(e), KafkaEntity.class);
    assertEquals(gson.Value, bound.Value);
    assertEquals("hello", bound.Value);
    assertEquals(7, bound.Offset);
    assertNull(bound.Key, "a record without key");
    assertEquals(
        "compat",
        new String(Base64.getDecoder().decode(bound.Headers[0].Value), StandardCharsets.UTF_8));
  }

  @Test
  void bytesAreTheRecordValue() {
    assertArrayEquals(
        new byte[] {1, 2, 3}, (byte[]) bind(ONE, "bytes", event(1, 0, "k", new byte[] {1, 2, 3})));
  }

  @Test
  void manyHandsOneEventPerElement() {
    KafkaEvent a = event(1, 0, "a", "va".getBytes(StandardCharsets.UTF_8));
    KafkaEvent b = event(2, 0, "b", "vb".getBytes(StandardCharsets.UTF_8));
    @SuppressWarnings("unchecked")
    List<String> texts = (List<String>) bind(MANY, "textList", a, b);
    assertEquals(List.of(KafkaEventJson.of(a), KafkaEventJson.of(b)), texts);
    KafkaEntity[] entities = (KafkaEntity[]) bind(MANY, "entityArray", a, b);
    assertEquals("vb", entities[1].Value);
    assertEquals("b", entities[1].Key);
  }

  @Test
  void avroRecordsDecodeToTheirFieldsAndTheOutputEncodesWhatAvroItselfReads() throws Exception {
    Schema schema = AvroRecords.parse(PAYMENT, "test");
    GenericRecord record = new GenericData.Record(schema);
    record.put("id", "p-1");
    record.put("amount", 12.5);
    record.put("note", null);
    record.put("tags", List.of("a", "b"));
    // written by Avro itself, in the wire format of a Confluent producer (magic 0, schema id 7)
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {0, 0, 0, 0, 7});
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    KafkaBinding avro = new KafkaBinding(false, false, 64, schema);
    String json = (String) bind(avro, "text", event(1, 0, "k", out.toByteArray()));
    assertEquals(
        JsonParser.parseString(
            "{\"id\":\"p-1\",\"amount\":12.5,\"note\":null,\"tags\":[\"a\",\"b\"]}"),
        JsonParser.parseString(json));
    Payment payment = (Payment) bind(avro, "payment", event(1, 0, "k", out.toByteArray()));
    assertEquals(12.5, payment.amount);
    assertEquals(List.of("a", "b"), payment.tags);

    // the output side: JSON in, wire format out, read back by Avro's own reader
    byte[] encoded = AvroRecords.encode(schema, json.getBytes(StandardCharsets.UTF_8));
    assertEquals(0, encoded[0]);
    GenericRecord read =
        new GenericDatumReader<GenericRecord>(schema)
            .read(null, DecoderFactory.get().binaryDecoder(encoded, 5, encoded.length - 5, null));
    assertEquals(record.toString(), read.toString());

    InvocationFailure notAvro =
        assertThrows(
            InvocationFailure.class,
            () ->
                bind(
                    avro, "text", event(1, 0, "k", "plain text".getBytes(StandardCharsets.UTF_8))));
    assertTrue(notAvro.getMessage().contains("Confluent wire format"), notAvro.getMessage());
    IllegalArgumentException misfit =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AvroRecords.encode(
                    schema,
                    "{\"id\":\"p\",\"amount\":\"lots\",\"tags\":[]}"
                        .getBytes(StandardCharsets.UTF_8)));
    assertTrue(misfit.getMessage().contains("value.amount"), misfit.getMessage());
  }

  @Test
  void securityAttributesMapOntoTheKafkaClient() {
    var settings =
        new dev.veil.runtime.spi.AppSettings(
            Map.of("KafkaUser", "alice", "KafkaPassword", "s\"cret"));
    Map<String, String> sasl =
        new KafkaSecurity("SASLSSL", "SCRAMSHA512", "%KafkaUser%", "KafkaPassword", "", "", "", "")
            .clientConfig(settings, "test");
    assertEquals("SASL_SSL", sasl.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", sasl.get("sasl.mechanism"));
    assertEquals(
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\""
            + " password=\"s\\\"cret\";",
        sasl.get("sasl.jaas.config"));
    assertEquals(
        Map.of(),
        new KafkaSecurity("NOTSET", "NOTSET", "", "", "", "", "", "")
            .clientConfig(settings, "test"));
    IllegalArgumentException missingFile =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new KafkaSecurity("SSL", "NOTSET", "", "", "/no/such/ca.pem", "", "", "")
                    .clientConfig(settings, "test"));
    assertTrue(
        missingFile.getMessage().contains("sslCaLocation '/no/such/ca.pem' is not a readable file"),
        missingFile.getMessage());
    IllegalArgumentException gssapi =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new KafkaSecurity("SASLSSL", "GSSAPI", "u", "p", "", "", "", "")
                    .clientConfig(settings, "test"));
    assertTrue(gssapi.getMessage().contains("GSSAPI is not supported"), gssapi.getMessage());
  }
}
