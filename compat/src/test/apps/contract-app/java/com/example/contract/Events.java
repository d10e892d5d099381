package com.example.contract;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A Kafka-triggered function (no broker configured: the host's in-process queue), run by hand through the admin API. */
public class Events {
  static final List<String> SEEN = new CopyOnWriteArrayList<>();

  @FunctionName("onOrderEvent")
  public void onOrderEvent(@KafkaTrigger(name = "event", topic = "orders", brokerList = "", consumerGroup = "compat")
      String event) {
    SEEN.add(event);
  }

  @FunctionName("orderEvents")
  public String orderEvents(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return String.join(",", SEEN);
  }
}
