package dev.veil.triggers.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import dev.veil.testkit.Azurite;
import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import dev.veil.testkit.Waits;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least once across a crash: 5,000 messages on Azurite, the host process SIGKILLed mid-stream
 * and started again; every message must be processed, and the duplicates (calls whose delete the
 * kill cut off) are counted and printed. host.json's messageLease of 5 s brings the killed host's
 * in-flight messages back quickly.
 */
class QueueCrashTest {
  private static final int MESSAGES = 5_000;
  private static final String QUEUE = "crash-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir Path dir;

  private List<String> processed() {
    try {
      Path log = dir.resolve("processed.log");
      if (!Files.exists(log)) return List.of();
      return Files.readAllLines(log).stream()
          .filter(l -> l.startsWith("m") && l.length() > 1)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyMessageIsProcessedAfterTheHostIsKilledMidStream() throws Exception {
    QueueClient queue =
        new QueueServiceClientBuilder()
            .connectionString(Azurite.connectionStringWithQueues())
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient()
            .getQueueClient(QUEUE);
    queue.createIfNotExists();
    long sendStart = System.currentTimeMillis();
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> sends = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int first = t;
        sends.add(
            senders.submit(
                () -> {
                  for (int i = first; i < MESSAGES; i += 8) {
                    queue.sendMessage(
                        Base64.getEncoder()
                            .encodeToString(("m" + i).getBytes(StandardCharsets.UTF_8)));
                  }
                }));
      }
      for (Future<?> f : sends) f.get();
    } finally {
      senders.shutdown();
    }

    System.out.printf(
        "queue crash: %d messages sent in %d ms%n",
        MESSAGES, System.currentTimeMillis() - sendStart);
    ChildProcess host = host();
    ChildProcess restarted = null;
    try {
      try {
        Waits.until(
            () -> processed().size() >= MESSAGES / 5 || !host.isAlive(),
            Duration.ofSeconds(120),
            "a fifth of the messages processed");
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage() + " (" + processed().size() + " so far); host log:\n" + host.tail(), e);
      }
      assertTrue(host.isAlive(), host.tail());
      host.kill(); // SIGKILL mid-stream
      int beforeKill = processed().size();
      assertTrue(beforeKill < MESSAGES, "the kill must come mid-stream, not after " + beforeKill);
      long restartedAt = System.currentTimeMillis();
      restarted = host();
      ChildProcess watched = restarted;
      Waits.until(
          () -> new HashSet<>(processed()).size() == MESSAGES || !watched.isAlive(),
          Duration.ofSeconds(180),
          "all messages processed after the restart");
      System.out.printf(
          "queue crash: all processed %d ms after the restart%n",
          System.currentTimeMillis() - restartedAt);
      assertTrue(watched.isAlive(), watched.tail());
      List<String> calls = processed();
      Set<String> distinct = new HashSet<>(calls);
      for (int i = 0; i < MESSAGES; i++)
        assertTrue(distinct.contains("m" + i), "message m" + i + " was lost");
      assertEquals(MESSAGES, distinct.size());
      System.out.printf(
          "queue crash: %d messages, %d processed before SIGKILL, %d calls in all, %d duplicates%n",
          MESSAGES, beforeKill, calls.size(), calls.size() - MESSAGES);
      Waits.until(
          () -> queue.getProperties().getApproximateMessagesCount() == 0,
          Duration.ofSeconds(30),
          "the queue emptied (every message deleted after its call)");
    } finally {
      host.kill();
      if (restarted != null) restarted.kill();
    }
  }

  private ChildProcess host() throws IOException {
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(
        config.resolve("host.json"),
        new JsonObject()
            .put("version", "2.0")
            .put(
                "extensions",
                new JsonObject()
                    .put(
                        "queues",
                        new JsonObject()
                            .put("messageLease", "00:00:05")
                            .put("maxPollingInterval", "00:00:00.500")
                            .put("batchSize", 32)))
            .encode());
    Map<String, String> env =
        Map.of(
            "CrashQueue",
            QUEUE,
            "CrashStorage",
            Azurite.connectionStringWithQueues(),
            "CRASH_LOG",
            dir.resolve("processed.log").toString());
    return ChildProcess.java(
        "queue-host",
        "dev.veil.runtime.Main",
        List.of("-Xmx256m", "-XX:+UseSerialGC"),
        env,
        List.of(
            "start",
            "--port",
            Integer.toString(FreePorts.next()),
            "--config",
            config.toString(),
            "--data",
            dir.resolve("data").toString(),
            "--scan",
            "dev.veil.triggers.queue.crash"),
        config.resolve("host.log"));
  }
}
