package dev.veil.triggers.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.HostContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * {@code @KafkaOutput}: writes the function's output to a topic after a successful call. The value
 * may be a String, byte[], a POJO (sent as JSON), or an array / List of those for many records
 * ({@code OutputBinding<String[]>}). As in the Azure Kafka extension, a JSON object with the fields
 * {@code Offset}, {@code Partition}, {@code Topic}, {@code Timestamp}, {@code Value} and {@code
 * Headers} (the samples' KafkaEntity) is an envelope: the record gets its {@code Key} (if any),
 * value and headers ({@code [{"Key": "name", "Value": "text"}]}, values written as UTF-8 text). The
 * call succeeds only once every record is acknowledged by the broker. {@code avroSchema}: each
 * value is encoded as an Avro generic record ({@link AvroRecords}); the security attributes map
 * onto the producer ({@link KafkaSecurity}).
 */
public final class KafkaOutputProvider implements BindingProvider {
  // The extension's KafkaEntity shape: an object is one only with all of these (and maybe Key), as
  // the extension
  // decides for out-of-process workers. Offset, Partition, Topic and Timestamp describe a record
  // read and are
  // not written (the binding names the topic, the broker assigns the rest).
  private static final Set<String> ENVELOPE_FIELDS =
      Set.of("Offset", "Partition", "Topic", "Timestamp", "Value", "Headers");

  // per broker list and security attributes; made off the event loop (the client reads PEM files)
  private final Map<String, Future<BrokerEventWriter>> writers = new ConcurrentHashMap<>();
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private HostContext host;

  @Override
  public Class<? extends Annotation> annotation() {
    return KafkaOutput.class;
  }

  @Override
  public Future<Void> start(HostContext host) {
    this.host = host;
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(BindingRequest request, Object value) {
    if (value == null) {
      return Future.succeededFuture();
    }
    KafkaOutput output = request.annotation(KafkaOutput.class);
    Optional<String> bootstrap;
    String topic;
    List<Record> records = new ArrayList<>();
    try {
      topic = KafkaSettings.topic(output.topic(), request.settings(), "@KafkaOutput topic");
      bootstrap = KafkaSettings.bootstrap(output.brokerList(), request.settings(), "@KafkaOutput");
      String avro =
          KafkaSettings.resolve(output.avroSchema(), request.settings(), "@KafkaOutput avroSchema");
      Schema schema =
          avro.isEmpty()
              ? null
              : schemas.computeIfAbsent(avro, a -> AvroRecords.parse(a, "@KafkaOutput"));
      for (Object element : elements(value)) {
        Record r = record(element);
        records.add(
            schema == null || r.value == null
                ? r
                : new Record(r.key, AvroRecords.encode(schema, r.value), r.headers));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Future<? extends EventWriter> writer =
        bootstrap.isEmpty()
            ? Future.succeededFuture(EmbeddedTopics.of(host))
            : writers.computeIfAbsent(
                bootstrap.get() + " " + KafkaSecurity.of(output),
                k ->
                    host.vertx()
                        .executeBlocking(
                            () ->
                                new BrokerEventWriter(
                                    host.vertx(),
                                    bootstrap.get(),
                                    KafkaSecurity.of(output)
                                        .clientConfig(request.settings(), "@KafkaOutput"))));
    return writer.compose(
        w -> {
          List<Future<Void>> sends = new ArrayList<>();
          for (Record r : records) {
            sends.add(w.send(topic, r.key, r.value, r.headers));
          }
          return Future.all(sends).mapEmpty();
        });
  }

  @Override
  public Future<Void> stop() {
    List<Future<Void>> closes = new ArrayList<>();
    writers.values().forEach(w -> closes.add(w.compose(BrokerEventWriter::close)));
    writers.clear();
    return Future.join(closes).mapEmpty();
  }

  private static List<Object> elements(Object value) {
    List<Object> out = new ArrayList<>();
    if (value instanceof Object[] array) {
      out.addAll(List.of(array));
    } else if (value instanceof Collection<?> c) {
      out.addAll(c);
    } else {
      out.add(value);
    }
    out.removeIf(java.util.Objects::isNull);
    return out;
  }

  private record Record(byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers) {}

  private static Record record(Object element) {
    byte[] bytes =
        element instanceof byte[] b
            ? b
            : element instanceof Buffer buf
                ? buf.getBytes()
                : (element instanceof String s ? s : Conversions.toJsonAsTheAzureWorker(element))
                    .getBytes(StandardCharsets.UTF_8);
    JsonNode envelope = envelope(bytes);
    if (envelope == null) {
      return new Record(null, bytes, List.of());
    }
    List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
    for (JsonNode h : envelope.path("Headers")) {
      headers.add(
          new AbstractMap.SimpleImmutableEntry<>(h.path("Key").asText(), text(h.get("Value"))));
    }
    return new Record(text(envelope.get("Key")), text(envelope.get("Value")), headers);
  }

  /**
   * The envelope object, or null when the bytes are not one (then they are the record value as they
   * are).
   */
  private static JsonNode envelope(byte[] bytes) {
    if (bytes.length < 2 || bytes[0] != '{') {
      return null;
    }
    try {
      JsonNode node = Conversions.json().readTree(bytes);
      if (!(node instanceof ObjectNode object) || !ENVELOPE_FIELDS.stream().allMatch(object::has)) {
        return null;
      }
      return object;
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] text(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return (node.isTextual() ? node.asText() : node.toString()).getBytes(StandardCharsets.UTF_8);
  }
}
