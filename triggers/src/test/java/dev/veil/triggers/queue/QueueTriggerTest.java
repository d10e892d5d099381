package dev.veil.triggers.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue trigger and output binding on Azurite's queue service and on the embedded local queue.
 */
class QueueTriggerTest {
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final JsonObject HOST_JSON =
      new JsonObject()
          .put(
              "extensions",
              new JsonObject()
                  .put(
                      "queues",
                      new JsonObject()
                          .put("maxPollingInterval", "00:00:00.500")
                          .put("maxDequeueCount", 2)));

  @TempDir Path data;

  private VeilHost start(String connection, String queue) throws Exception {
    HostOptions options =
        new HostOptions()
            .port(0)
            .dataDirectory(data)
            .functionClass(QueueTestFunctions.class)
            .hostJson(HOST_JSON)
            .setting("InQueue", queue);
    if (connection != null) options.setting("QueueStorage", connection);
    VeilHost host = VeilHost.start(options).toCompletionStage().toCompletableFuture().get();
    assertEquals(Map.of(), host.disabledFunctions());
    return host;
  }

  private static void stop(VeilHost host) throws Exception {
    host.close().toCompletionStage().toCompletableFuture().get();
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String unb64(String text) {
    return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
  }

  /** Every message now in the queue, decoded (received and deleted). */
  private static List<String> drain(QueueClient q) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      List<QueueMessageItem> got = q.receiveMessages(32).stream().toList();
      if (got.isEmpty()) break;
      for (QueueMessageItem m : got) {
        out.add(unb64(m.getBody().toString()));
        q.deleteMessage(m.getMessageId(), m.getPopReceipt());
      }
    }
    return out;
  }

  @Test
  void messagesFromAzuriteAreProcessedWithMetadataOutputsAndPoisonQueue() throws Exception {
    String queue = "in-" + RUN;
    QueueServiceClient azure =
        new QueueServiceClientBuilder()
            .connectionString(Azurite.connectionStringWithQueues())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();
    QueueClient input = azure.getQueueClient(queue);
    input.createIfNotExists();
    Instant before = Instant.now().minusSeconds(5);
    for (int i = 0; i < 20; i++) input.sendMessage(b64("hello " + i));
    input.sendMessage(b64("poison-" + RUN));
    QueueClient orders = azure.getQueueClient(queue + "-orders");
    orders.createIfNotExists();
    orders.sendMessage(b64("{\"customer\": \"ada\", \"items\": [\"tea\", \"cake\"]}"));

    VeilHost host = start(Azurite.connectionStringWithQueues(), queue);
    QueueClient output = azure.getQueueClient(queue + "-out");
    QueueClient poison = azure.getQueueClient(queue + "-poison");
    QueueClient words = azure.getQueueClient(queue + "-words");
    for (QueueClient q : List.of(output, poison, words))
      q.createIfNotExists(); // to watch them; the host creates them too
    List<String> outputs = new ArrayList<>();
    Waits.until(
        () -> {
          outputs.addAll(drain(output));
          return outputs.size() >= 20 && poison.getProperties().getApproximateMessagesCount() == 1;
        },
        Duration.ofSeconds(30),
        "20 outputs and a poison message");
    List<String> split = new ArrayList<>();
    Waits.until(
        () -> {
          split.addAll(drain(words));
          return split.size() >= 2;
        },
        Duration.ofSeconds(20),
        "the split order");
    stop(host);

    assertEquals(20, outputs.size(), outputs.toString());
    for (int i = 0; i < 20; i++) {
      assertTrue(outputs.contains("HELLO " + i), outputs.toString());
      assertEquals(1, QueueTestFunctions.calls("hello " + i));
    }
    assertEquals(List.of("ada:cake", "ada:tea"), split.stream().sorted().toList());
    assertEquals(
        2,
        QueueTestFunctions.calls("poison-" + RUN),
        "maxDequeueCount calls, then the poison queue");
    assertEquals(List.of("poison-" + RUN), drain(poison));
    assertEquals(
        0, input.getProperties().getApproximateMessagesCount(), "every message was settled");

    Map<String, Object> meta = QueueTestFunctions.METADATA.get("hello 3");
    assertNotNull(meta.get("Id"));
    assertNotNull(meta.get("PopReceipt"));
    assertEquals(1L, meta.get("DequeueCount"));
    Instant inserted = Instant.parse((String) meta.get("InsertionTime"));
    assertTrue(inserted.isAfter(before), meta.toString());
    assertTrue(
        Instant.parse((String) meta.get("ExpirationTime"))
            .isAfter(inserted.plus(Duration.ofDays(6))),
        meta.toString());
    assertTrue(
        Instant.parse((String) meta.get("NextVisibleTime")).isAfter(inserted), meta.toString());
    assertEquals(2L, QueueTestFunctions.METADATA.get("poison-" + RUN).get("DequeueCount"));
  }

  @Test
  void withoutStorageTheEmbeddedLocalQueueKeepsMessagesAcrossARestart() throws Exception {
    String queue = "local-" + RUN;
    LocalQueueService before = new LocalQueueService(data.resolve("queues"));
    for (int i = 0; i < 5; i++) before.send(queue, b64("local " + i));
    VeilHost host = start(null, queue);
    Waits.until(
        () -> QueueTestFunctions.calls("local 4") == 1,
        Duration.ofSeconds(20),
        "the local messages");
    stop(host);
    LocalQueueService after = new LocalQueueService(data.resolve("queues"));
    assertEquals(
        List.of(),
        after.receive(queue, 32, Duration.ofSeconds(30)),
        "processed messages are deleted");
    List<String> out =
        after.receive(queue + "-out", 32, Duration.ofSeconds(30)).stream()
            .map(m -> unb64(m.text()))
            .sorted()
            .toList();
    assertEquals(List.of("LOCAL 0", "LOCAL 1", "LOCAL 2", "LOCAL 3", "LOCAL 4"), out);
    for (int i = 0; i < 5; i++) assertEquals(1, QueueTestFunctions.calls("local " + i));
  }
}
