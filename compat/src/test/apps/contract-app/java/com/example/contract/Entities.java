package com.example.contract;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.KafkaOutput;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** KafkaEntity-shaped output (key, value, headers) and a trigger that reads the record back. */
public class Entities {
  static final List<String> RECEIVED = new CopyOnWriteArrayList<>();

  @FunctionName("publishEntity")
  public String publishEntity(
      @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request,
      @KafkaOutput(name = "entity", topic = "entities", brokerList = "") OutputBinding<KafkaEntity> entity) {
    String text = request.getBody().orElse("");
    entity.setValue(new KafkaEntity(0, 0, "ignored", "2024-01-01T00:00:00Z", "key-" + text, text,
        new KafkaEntity.KafkaHeader[] {new KafkaEntity.KafkaHeader("source", "compat")}));
    return "published";
  }

  @FunctionName("receiveEntity")
  public void receiveEntity(
      @KafkaTrigger(name = "record", topic = "entities", brokerList = "", consumerGroup = "compat") KafkaEntity record,
      @BindingName("Key") String key, @BindingName("Headers") Map<String, String> headers) {
    // the trigger hands the extension's event (bound with Gson); its headers are base64
    RECEIVED.add(record.value() + "|" + record.key() + "|" + key + "|" + headers.get("source") + "|"
        + record.decodedHeader("source"));
  }

  @FunctionName("receivedEntities")
  public String receivedEntities(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return String.join(",", RECEIVED);
  }
}
