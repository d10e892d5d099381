package com.example.contract;

/** The Kafka extension's event shape, as its Java samples declare it (fields named as in the event JSON). */
public class KafkaEntity {
  private final long Offset;
  private final int Partition;
  private final String Topic;
  private final String Timestamp;
  private final String Key;
  private final String Value;
  private final KafkaHeader[] Headers;

  public KafkaEntity(long offset, int partition, String topic, String timestamp, String key, String value,
      KafkaHeader[] headers) {
    this.Offset = offset;
    this.Partition = partition;
    this.Topic = topic;
    this.Timestamp = timestamp;
    this.Key = key;
    this.Value = value;
    this.Headers = headers;
  }

  public String key() {
    return Key;
  }

  public String value() {
    return Value;
  }

  /** A header's value: the extension hands trigger headers base64-encoded. */
  public String decodedHeader(String name) {
    for (KafkaHeader h : Headers) {
      if (h.Key.equals(name)) return new String(java.util.Base64.getDecoder().decode(h.Value),
          java.nio.charset.StandardCharsets.UTF_8);
    }
    return null;
  }

  public static class KafkaHeader {
    private final String Key;
    private final String Value;

    public KafkaHeader(String key, String value) {
      this.Key = key;
      this.Value = value;
    }
  }
}
