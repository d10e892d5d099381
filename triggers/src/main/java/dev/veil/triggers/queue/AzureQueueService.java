package dev.veil.triggers.queue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
import com.azure.storage.queue.models.UpdateMessageResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Azure Queue Storage (or Azurite) through the Azure Storage Queue SDK on the JDK's HttpClient. */
final class AzureQueueService implements QueueService {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private final QueueServiceClient service;
  private final Map<String, QueueClient> queues = new ConcurrentHashMap<>();
  private final Map<String, Boolean> created = new ConcurrentHashMap<>();

  /**
   * Retries after 50 ms doubling to 2 s instead of the SDK's 4 s doubling to 2 minutes: a pooled
   * connection the server closed while idle fails at once and is simply tried again, and a poll
   * loop must not stall on it.
   */
  static final RequestRetryOptions RETRIES =
      new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 5, (Integer) null, 50L, 2000L, null);

  AzureQueueService(String connectionString) {
    this.service =
        new QueueServiceClientBuilder()
            .connectionString(connectionString)
            .retryOptions(RETRIES)
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
  }

  private QueueClient queue(String name) {
    return queues.computeIfAbsent(name, service::getQueueClient);
  }

  @Override
  public void create(String queue) {
    created.computeIfAbsent(
        queue,
        q -> {
          queue(q).createIfNotExists();
          return true;
        });
  }

  @Override
  public List<Message> receive(String queue, int max, Duration visibility) {
    List<Message> out = new ArrayList<>();
    try {
      for (QueueMessageItem m : queue(queue).receiveMessages(max, visibility, CALL_TIMEOUT, null)) {
        out.add(
            new Message(
                m.getMessageId(),
                m.getPopReceipt(),
                m.getDequeueCount(),
                instant(m.getInsertionTime()),
                instant(m.getExpirationTime()),
                instant(m.getTimeNextVisible()),
                m.getBody().toString()));
      }
    } catch (QueueStorageException e) {
      if (e.getStatusCode() == 404) return out; // no queue (yet): nothing to do
      throw e;
    }
    return out;
  }

  @Override
  public boolean delete(String queue, String id, String popReceipt) {
    try {
      queue(queue).deleteMessage(id, popReceipt);
      return true;
    } catch (QueueStorageException e) {
      if (e.getStatusCode() == 404 || e.getStatusCode() == 400)
        return false; // gone, or another receipt holds it
      throw e;
    }
  }

  @Override
  public String hide(String queue, String id, String popReceipt, Duration visibility) {
    try {
      UpdateMessageResult r = queue(queue).updateMessage(id, popReceipt, null, visibility);
      return r.getPopReceipt();
    } catch (QueueStorageException e) {
      if (e.getStatusCode() == 404 || e.getStatusCode() == 400) return null;
      throw e;
    }
  }

  @Override
  public void send(String queue, String text) {
    create(queue);
    queue(queue).sendMessage(text);
  }

  @Override
  public String describe() {
    return "Azure Queue Storage " + service.getQueueServiceUrl();
  }

  private static Instant instant(java.time.OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
