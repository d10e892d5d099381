package dev.veil.functions.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.functions.batch.RowScorer;

/**
 * Queue scoring: JSON feature messages ({@code {"features": [...]}} or a bare array; 30 values for
 * the breast-cancer model, 784 for MNIST) from topic {@code scoring-requests} are scored in
 * batches, and one message per input goes to {@code scoring-predictions} with the input's key:
 * {@code {"prediction": n}}, or {@code {"error": "..."}} for a message that does not parse or
 * score. The broker is app setting {@code KAFKA_BROKERS} (it must be declared; declared empty, the
 * embedded in-process queue is used).
 *
 * <p>Written as any Azure Functions Java app reads the Kafka extension: each trigger element is the
 * event as JSON (Offset, Partition, Topic, Timestamp, Value, Key, Headers), and each output is an
 * event of the same shape, whose Key and Value the record gets.
 */
public class QueueScoringFunction {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RowScorer SCORER = new RowScorer(RowScorer.Model.AUTO);

  @FunctionName("queueScoring")
  public void score(
      @KafkaTrigger(
              name = "messages",
              topic = "scoring-requests",
              brokerList = "%KAFKA_BROKERS%",
              consumerGroup = "veil-queue-scoring",
              cardinality = Cardinality.MANY,
              dataType = "string")
          String[] events,
      @KafkaOutput(
              name = "predictions",
              topic = "scoring-predictions",
              brokerList = "%KAFKA_BROKERS%")
          OutputBinding<String[]> predictions) {
    String[] out = new String[events.length];
    for (int i = 0; i < events.length; i++) {
      ObjectNode event = readEvent(events[i]);
      ObjectNode value = JSON.createObjectNode();
      try {
        value.put(
            "prediction", SCORER.predict(RowScorer.parseJson(event.path("Value").asText(""))));
      } catch (IllegalArgumentException e) {
        value.put("error", e.getMessage());
      }
      // The extension's event shape (all of Offset, Partition, Topic, Timestamp, Value, Headers):
      // the record gets
      // this key and value.
      ObjectNode reply = JSON.createObjectNode();
      reply
          .put("Offset", 0)
          .put("Partition", 0)
          .put("Topic", "scoring-predictions")
          .put("Timestamp", event.path("Timestamp").asText(""));
      reply.set("Key", event.get("Key"));
      reply.put("Value", value.toString());
      reply.putArray("Headers");
      out[i] = reply.toString();
    }
    predictions.setValue(out);
  }

  private static ObjectNode readEvent(String event) {
    try {
      return (ObjectNode) JSON.readTree(event);
    } catch (java.io.IOException | ClassCastException e) {
      throw new IllegalArgumentException("not a Kafka event: " + e.getMessage(), e);
    }
  }
}
