package dev.veil.triggers.bench;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.Azurite;
import dev.veil.triggers.bench.queue.QueueBenchFunctions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: queue-trigger throughput on Azurite's queue service (no-op function, and an echo
 * through {@code @QueueOutput}) against a plain SDK receive→delete loop (32 per receive, deletes on
 * 16 threads) on the same Azurite in the same run (each host function timed from its first call to
 * its last), and the timer trigger's firing jitter (how late after the second each run of an
 * every-second schedule starts, p50/p99). Run with {@code bench/queue-timer.sh}. Args: messages
 * (default 2000), timer runs (default 60).
 */
public final class QueueTimerBenchmark {
  private static final ExecutorService SENDERS = Executors.newFixedThreadPool(16);

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int timerRuns = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    String run = UUID.randomUUID().toString().substring(0, 8);
    String connection = Azurite.connectionStringWithQueues();
    // the trigger's retry options (AzureQueueService.RETRIES), so the loops differ only in what
    // runs them
    var service =
        new QueueServiceClientBuilder()
            .connectionString(connection)
            .retryOptions(
                new RequestRetryOptions(
                    RetryPolicyType.EXPONENTIAL, 5, (Integer) null, 50L, 2000L, null))
            .httpClient(new JdkHttpClientBuilder().build())
            .buildClient();

    QueueClient plain = service.getQueueClient("bench-plain-" + run);
    fill(plain, messages);
    double sdk = plainLoop(plain, messages);

    QueueClient noop = service.getQueueClient("bench-noop-" + run);
    QueueClient echo = service.getQueueClient("bench-echo-" + run);
    echo.createIfNotExists();
    fill(noop, messages);
    Path data = Files.createTempDirectory("veil-queue-bench");
    HostOptions options =
        new HostOptions()
            .port(0)
            .dataDirectory(data)
            .functionClass(QueueBenchFunctions.class)
            .setting("BenchStorage", connection)
            .setting("NoopQueue", noop.getQueueName())
            .setting("EchoQueue", echo.getQueueName())
            .setting("BenchSchedule", "* * * * * *")
            .hostJson(
                new JsonObject()
                    .put(
                        "extensions",
                        new JsonObject()
                            .put(
                                "queues",
                                new JsonObject().put("maxPollingInterval", "00:00:00.200"))));
    // one function at a time: the no-op queue is full at start; the echo queue is filled while the
    // host is down
    VeilHost host = VeilHost.start(options).toCompletionStage().toCompletableFuture().get();
    while (QueueBenchFunctions.NOOP.count.get() < messages) Thread.sleep(20);
    host.close().toCompletionStage().toCompletableFuture().get();
    fill(echo, messages);
    host = VeilHost.start(options).toCompletionStage().toCompletableFuture().get();
    while (QueueBenchFunctions.ECHO.count.get() < messages) Thread.sleep(20);
    double hostNoop = QueueBenchFunctions.NOOP.rate();
    double hostEcho = QueueBenchFunctions.ECHO.rate();
    while (QueueBenchFunctions.TIMER_LATE_MS.size() < timerRuns) Thread.sleep(200);
    host.close().toCompletionStage().toCompletableFuture().get();
    SENDERS.shutdown();

    System.out.printf(
        "queue trigger on Azurite, %d messages each (cores: %d):%n",
        messages, Runtime.getRuntime().availableProcessors());
    System.out.printf("  plain SDK receive(32)->delete loop: %.0f msg/s%n", sdk);
    System.out.printf(
        "  host, no-op function:               %.0f msg/s (%.2fx the plain loop)%n",
        hostNoop, hostNoop / sdk);
    System.out.printf(
        "  host, echo via @QueueOutput:        %.0f msg/s (%.2fx the plain loop)%n",
        hostEcho, hostEcho / sdk);
    List<Long> late = new ArrayList<>(QueueBenchFunctions.TIMER_LATE_MS).subList(0, timerRuns);
    late.sort(null);
    System.out.printf(
        "timer every second, %d runs: late by p50 %d ms, p99 %d ms, max %d ms%n",
        late.size(),
        late.get(late.size() / 2),
        late.get((int) Math.ceil(late.size() * 0.99) - 1),
        late.get(late.size() - 1));
    System.exit(0);
  }

  private static void fill(QueueClient queue, int messages) throws Exception {
    queue.createIfNotExists();
    List<Future<?>> sends = new ArrayList<>();
    AtomicLong next = new AtomicLong();
    for (int t = 0; t < 16; t++) {
      sends.add(
          SENDERS.submit(
              () -> {
                for (long i; (i = next.getAndIncrement()) < messages; ) {
                  queue.sendMessage(
                      Base64.getEncoder().encodeToString(("message " + i).getBytes()));
                }
              }));
    }
    for (Future<?> f : sends) f.get();
  }

  /**
   * Receives 32 at a time and deletes them on 16 threads, until {@code messages} are gone;
   * messages/s.
   */
  private static double plainLoop(QueueClient queue, int messages) throws Exception {
    long start = System.nanoTime();
    int done = 0;
    while (done < messages) {
      List<QueueMessageItem> batch =
          queue.receiveMessages(32, Duration.ofMinutes(1), null, null).stream().toList();
      List<Future<?>> deletes = new ArrayList<>();
      for (QueueMessageItem m : batch) {
        deletes.add(SENDERS.submit(() -> queue.deleteMessage(m.getMessageId(), m.getPopReceipt())));
      }
      for (Future<?> f : deletes) f.get();
      done += batch.size();
    }
    return messages / ((System.nanoTime() - start) / 1e9);
  }
}
