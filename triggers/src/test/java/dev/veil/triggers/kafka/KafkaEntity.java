package dev.veil.triggers.kafka;

/**
 * The event class Azure's Kafka samples declare for a trigger parameter: public fields named as the
 * extension names them, and no no-argument constructor (Gson binds it anyway).
 */
public class KafkaEntity {
  public long Offset;
  public int Partition;
  public String Topic;
  public String Timestamp;
  public String Value;
  public String Key;
  public KafkaHeaders[] Headers;

  public KafkaEntity(
      long offset,
      int partition,
      String topic,
      String timestamp,
      String value,
      String key,
      KafkaHeaders[] headers) {
    this.Offset = offset;
    this.Partition = partition;
    this.Topic = topic;
    this.Timestamp = timestamp;
    this.Value = value;
    this.Key = key;
    this.Headers = headers;
  }

  /** One header; Value is base64. */
  public static class KafkaHeaders {
    public String Key;
    public String Value;

    public KafkaHeaders(String key, String value) {
      this.Key = key;
      this.Value = value;
    }
  }
}
