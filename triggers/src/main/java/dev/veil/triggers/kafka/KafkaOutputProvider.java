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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code @KafkaOutput}: writes the function's output to a topic after a successful call. The value may be a
 * String, byte[], a POJO (sent as JSON), or an array / List of those for many records
 * ({@code OutputBinding<String[]>}). As in the Azure Kafka extension, a JSON object with a {@code Value} field
 * and only the fields {@code Key}, {@code Value}, {@code Headers} is an envelope: the record gets that key,
 * value and headers ({@code [{"Key": "name", "Value": "text"}]}). The call succeeds only once every record
 * is acknowledged by the broker.
 */
public final class KafkaOutputProvider implements BindingProvider {
  // The extension's KafkaEntity shape; Offset, Partition, Topic and Timestamp describe a record read and are not
  // written (the binding names the topic, the broker assigns the rest).
  private static final Set<String> ENVELOPE_FIELDS = Set.of("Key", "Value", "Headers", "Offset", "Partition", "Topic",
      "Timestamp");

  private final Map<String, BrokerEventWriter> writers = new ConcurrentHashMap<>();
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
    String topic;
    try {
      topic = KafkaSettings.topic(output.topic(), request.settings(), "@KafkaOutput topic");
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Optional<String> bootstrap = KafkaSettings.bootstrap(output.brokerList(), request.settings());
    EventWriter writer = bootstrap.<EventWriter>map(b -> writers.computeIfAbsent(b,
        x -> new BrokerEventWriter(host.vertx(), x))).orElse(EmbeddedTopics.of(host));
    List<Future<Void>> sends = new ArrayList<>();
    for (Object element : elements(value)) {
      Record r = record(element);
      sends.add(writer.send(topic, r.key, r.value, r.headers));
    }
    return Future.all(sends).mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    List<Future<Void>> closes = new ArrayList<>();
    writers.values().forEach(w -> closes.add(w.close()));
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
    byte[] bytes = element instanceof byte[] b ? b
        : element instanceof Buffer buf ? buf.getBytes()
        : (element instanceof String s ? s : Conversions.toJsonAsTheAzureWorker(element)).getBytes(StandardCharsets.UTF_8);
    JsonNode envelope = envelope(bytes);
    if (envelope == null) {
      return new Record(null, bytes, List.of());
    }
    List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
    for (JsonNode h : envelope.path("Headers")) {
      headers.add(new AbstractMap.SimpleImmutableEntry<>(h.path("Key").asText(), text(h.get("Value"))));
    }
    return new Record(text(envelope.get("Key")), text(envelope.get("Value")), headers);
  }

  /** The envelope object, or null when the bytes are not one (then they are the record value as they are). */
  private static JsonNode envelope(byte[] bytes) {
    if (bytes.length < 2 || bytes[0] != '{') {
      return null;
    }
    try {
      JsonNode node = Conversions.json().readTree(bytes);
      if (!(node instanceof ObjectNode object) || !object.has("Value")) {
        return null;
      }
      for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
        if (!ENVELOPE_FIELDS.contains(names.next())) {
          return null;
        }
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
