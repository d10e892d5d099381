package dev.veil.functions.queue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * A host running only the queue-scoring function, in its own JVM, for the crash test. Args:
 * brokers, data dir.
 */
public final class QueueScoringHost {
  private QueueScoringHost() {}

  public static void main(String[] args) throws Exception {
    VeilHost.start(options(args[0], Path.of(args[1])))
        .toCompletionStage()
        .toCompletableFuture()
        .get();
    System.out.println("queue scoring host ready");
    Thread.sleep(Long.MAX_VALUE);
  }

  static HostOptions options(String brokers, Path data) {
    // A short session so that the group notices a killed member within seconds, not 45 s.
    JsonObject hostJson =
        new JsonObject()
            .put(
                "extensions",
                new JsonObject()
                    .put(
                        "kafka",
                        new JsonObject()
                            .put("SessionTimeoutMs", 6000)
                            .put("HeartbeatIntervalMs", 1000)));
    return new HostOptions()
        .port(0)
        .dataDirectory(data)
        .functionClass(QueueScoringFunction.class)
        .hostJson(hostJson)
        .setting("KAFKA_BROKERS", brokers);
  }
}
