package dev.veil.functions.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.functions.batch.RowScorer;

/**
 * Queue scoring: JSON feature messages ({@code {"features": [...]}} or a bare array; 30 values for the
 * breast-cancer model, 784 for MNIST) from topic {@code scoring-requests} are scored in batches, and one
 * message per input goes to {@code scoring-predictions} with the input's key: {@code {"prediction": n}}, or
 * {@code {"error": "..."}} for a message that does not parse or score. The broker is app setting
 * {@code KAFKA_BROKERS}; without it the embedded in-process queue is used.
 */
public class QueueScoringFunction {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RowScorer SCORER = new RowScorer(RowScorer.Model.AUTO);

  @FunctionName("queueScoring")
  public void score(
      @KafkaTrigger(name = "messages", topic = "scoring-requests", brokerList = "%KAFKA_BROKERS%",
          consumerGroup = "veil-queue-scoring", cardinality = Cardinality.MANY, dataType = "string") String[] messages,
      @BindingName("KeyArray") String[] keys,
      @KafkaOutput(name = "predictions", topic = "scoring-predictions", brokerList = "%KAFKA_BROKERS%")
      OutputBinding<String[]> predictions) {
    String[] out = new String[messages.length];
    for (int i = 0; i < messages.length; i++) {
      ObjectNode value = JSON.createObjectNode();
      try {
        value.put("prediction", SCORER.predict(RowScorer.parseJson(messages[i])));
      } catch (IllegalArgumentException e) {
        value.put("error", e.getMessage());
      }
      // The Kafka output binding's envelope: the record gets this key and value.
      ObjectNode envelope = JSON.createObjectNode();
      envelope.put("Key", keys[i]);
      envelope.put("Value", value.toString());
      out[i] = envelope.toString();
    }
    predictions.setValue(out);
  }
}
