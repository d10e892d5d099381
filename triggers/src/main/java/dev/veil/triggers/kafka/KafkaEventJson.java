package dev.veil.triggers.kafka;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.runtime.spi.Conversions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;

/**
 * A record as the Azure Kafka extension hands it to a non-.NET worker for a String (or POJO)
 * parameter: the extension serializes its event object with Json.NET, so Java code sees {@code
 * {"Offset":5,"Partition":0,"Topic":"t","Timestamp":"2024-05-01T10:20:30.12Z","Value":"...","Key":"k",
 * "Headers":[{"Key":"h","Value":"<base64>"}]}} and binds it with Gson (e.g. to the samples'
 * KafkaEntity). The value is the record's UTF-8 text; header values are base64 as Json.NET writes a
 * byte[].
 */
final class KafkaEventJson {
  private KafkaEventJson() {}

  static String of(KafkaEvent e) {
    ObjectNode event = Conversions.json().createObjectNode();
    event.put("Offset", e.offset());
    event.put("Partition", e.partition());
    event.put("Topic", e.topic());
    event.put("Timestamp", timestamp(e.timestamp()));
    event.put("Value", e.value() == null ? null : new String(e.value(), StandardCharsets.UTF_8));
    event.put("Key", e.keyText());
    ArrayNode headers = event.putArray("Headers");
    for (Map.Entry<String, byte[]> h : e.headers()) {
      headers
          .addObject()
          .put("Key", h.getKey())
          .put(
              "Value",
              h.getValue() == null ? null : Base64.getEncoder().encodeToString(h.getValue()));
    }
    return event.toString();
  }

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * A UTC time as Json.NET writes a DateTime of kind Utc: fraction digits only as far as they are
   * not zero.
   */
  static String timestamp(long epochMillis) {
    Instant at = Instant.ofEpochMilli(epochMillis);
    String text = SECONDS.format(at);
    int millis = at.getNano() / 1_000_000;
    if (millis != 0) {
      String fraction = String.format("%03d", millis);
      text += "." + fraction.replaceAll("0+$", "");
    }
    return text + "Z";
  }
}
