package dev.veil.triggers.queue;

import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueOutput;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Functions for {@link QueueTriggerTest}: calls are counted per message text, metadata kept per
 * message.
 */
public class QueueTestFunctions {
  static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
  static final Map<String, Map<String, Object>> METADATA = new ConcurrentHashMap<>();

  static int calls(String message) {
    AtomicInteger n = CALLS.get(message);
    return n == null ? 0 : n.get();
  }

  /**
   * Upper-cases each message into the output queue; a message starting with "poison" always fails.
   */
  @FunctionName("upper")
  public void upper(
      @QueueTrigger(name = "message", queueName = "%InQueue%", connection = "QueueStorage")
          String message,
      @BindingName("Id") String id,
      @BindingName("DequeueCount") long dequeueCount,
      @BindingName("InsertionTime") String insertionTime,
      @BindingName("ExpirationTime") String expirationTime,
      @BindingName("NextVisibleTime") String nextVisibleTime,
      @BindingName("PopReceipt") String popReceipt,
      @QueueOutput(name = "out", queueName = "%InQueue%-out", connection = "QueueStorage")
          OutputBinding<String> out) {
    CALLS.computeIfAbsent(message, m -> new AtomicInteger()).incrementAndGet();
    METADATA.put(
        message,
        Map.of(
            "Id",
            id,
            "DequeueCount",
            dequeueCount,
            "InsertionTime",
            insertionTime,
            "ExpirationTime",
            expirationTime,
            "NextVisibleTime",
            nextVisibleTime,
            "PopReceipt",
            popReceipt));
    if (message.startsWith("poison"))
      throw new IllegalStateException("message " + message + " cannot be processed");
    out.setValue(message.toUpperCase(Locale.ROOT));
  }

  /** A POJO from the JSON message; the return value fans out into several messages. */
  @FunctionName("split")
  @QueueOutput(name = "$return", queueName = "%InQueue%-words", connection = "QueueStorage")
  public List<String> split(
      @QueueTrigger(name = "order", queueName = "%InQueue%-orders", connection = "QueueStorage")
          Order order) {
    return order.items.stream().map(i -> order.customer + ":" + i).toList();
  }

  /** A JSON message body. */
  public static class Order {
    public String customer;
    public List<String> items;
  }
}
