package dev.veil.triggers.queue;

import dev.veil.runtime.spi.RetryPolicy;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * host.json {@code extensions.queues}, with Azure's defaults: {@code batchSize} 16 (at most 32),
 * {@code newBatchThreshold} N*batchSize/2 (N = processors), {@code maxPollingInterval} 1 minute,
 * {@code visibilityTimeout} 0 (the pause before a failed message is tried again), {@code
 * maxDequeueCount} 5 and {@code messageEncoding} base64 ({@code none} for plain text). Veil adds
 * {@code messageLease} (default 10 minutes, Azure's fixed value): how long a received message stays
 * hidden, renewed at half time while its call runs, so a crashed host's messages come back after at
 * most this long.
 */
record QueueOptions(
    int batchSize,
    int newBatchThreshold,
    Duration maxPollingInterval,
    Duration visibilityTimeout,
    int maxDequeueCount,
    boolean base64,
    Duration messageLease) {

  static QueueOptions from(JsonObject queues) {
    try {
      int batchSize = queues.getInteger("batchSize", 16);
      if (batchSize < 1 || batchSize > 32)
        throw new IllegalArgumentException("batchSize must be 1 to 32");
      int threshold =
          queues.getInteger(
              "newBatchThreshold", Runtime.getRuntime().availableProcessors() * batchSize / 2);
      if (threshold < 0)
        throw new IllegalArgumentException("newBatchThreshold must not be negative");
      int maxDequeue = queues.getInteger("maxDequeueCount", 5);
      if (maxDequeue < 1) throw new IllegalArgumentException("maxDequeueCount must be at least 1");
      String encoding = queues.getString("messageEncoding", "base64");
      if (!encoding.equalsIgnoreCase("base64") && !encoding.equalsIgnoreCase("none")) {
        throw new IllegalArgumentException(
            "messageEncoding must be base64 or none, not '" + encoding + "'");
      }
      Duration maxPolling =
          RetryPolicy.parseInterval(queues.getString("maxPollingInterval", "00:01:00"));
      Duration lease = RetryPolicy.parseInterval(queues.getString("messageLease", "00:10:00"));
      if (maxPolling.toMillis() < 100)
        throw new IllegalArgumentException("maxPollingInterval must be at least 100 ms");
      if (lease.getSeconds() < 1)
        throw new IllegalArgumentException("messageLease must be at least 1 second");
      return new QueueOptions(
          batchSize,
          threshold,
          maxPolling,
          RetryPolicy.parseInterval(queues.getString("visibilityTimeout", "00:00:00")),
          maxDequeue,
          encoding.equalsIgnoreCase("base64"),
          lease);
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "host.json extensions.queues: a setting has the wrong type: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("host.json extensions.queues: " + e.getMessage(), e);
    }
  }
}
