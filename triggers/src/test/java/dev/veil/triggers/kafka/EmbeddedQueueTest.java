package dev.veil.triggers.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a broker the same trigger runs on the in-process queue: output keyed, failures
 * dead-lettered.
 */
class EmbeddedQueueTest {

  @Test
  void runsOnTheInProcessQueueWithTheSameSemantics(@TempDir Path data) throws Exception {
    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(EmbeddedFunctions.class)
                    .setting("EmptyBrokerSetting", ""))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    try {
      EmbeddedTopics topics =
          host.scope().shared(EmbeddedTopics.class, s -> new EmbeddedTopics()); // the host's queue
      for (String v : List.of("a", "fail", "b")) {
        topics
            .send(
                "embedded-in",
                ("key-" + v).getBytes(StandardCharsets.UTF_8),
                v.getBytes(StandardCharsets.UTF_8),
                List.of())
            .toCompletionStage()
            .toCompletableFuture()
            .get();
      }
      EventLog out = topics.subscribe(host.vertx(), "test-reader", "embedded-out");
      EventLog dead = topics.subscribe(host.vertx(), "test-reader", "embedded-in.deadletter");
      List<KafkaEvent> outputs = new ArrayList<>();
      List<KafkaEvent> deadLetters = new ArrayList<>();
      KafkaTriggerTest.await(
          () -> {
            outputs.addAll(join(out));
            deadLetters.addAll(join(dead));
            return outputs.size() >= 2 && deadLetters.size() >= 1;
          },
          "two outputs and one dead letter");
      assertEquals(
          List.of("key-a=echo a", "key-b=echo b"),
          outputs.stream()
              .map(e -> e.keyText() + "=" + new String(e.value(), StandardCharsets.UTF_8))
              .toList());
      assertEquals("fail", new String(deadLetters.get(0).value(), StandardCharsets.UTF_8));
      assertTrue(
          deadLetters
              .get(0)
              .headerText()
              .get(KafkaDispatcher.ERROR_HEADER)
              .contains("told to fail"));
      assertEquals("1", deadLetters.get(0).headerText().get(KafkaDispatcher.ATTEMPTS_HEADER));
      assertTrue(host.functions().stream().anyMatch(f -> f.name().equals("embeddedEcho")));
      assertEquals(Map.of(), host.disabledFunctions());
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void misconfiguredTriggersAreDisabledWithTheReason(@TempDir Path data) throws Exception {
    assertRefused(
        MisconfiguredFunctions.ManyWithoutArray.class,
        data,
        "cardinality MANY: its parameter must be an array or a List, not String");
    assertRefused(
        MisconfiguredFunctions.IllegalTopic.class,
        data,
        "'no spaces allowed' is not a legal Kafka name");
    assertRefused(
        MisconfiguredFunctions.UnsetTopicSetting.class,
        data,
        "app setting 'NoSuchTopicSetting', which is not set");
    // a broker list naming an undeclared setting is an error, never a silent in-process queue
    assertRefused(
        MisconfiguredFunctions.UnsetBrokerSetting.class,
        data,
        "'%NoSuchBrokerSetting%' names app setting 'NoSuchBrokerSetting', which is not set");
    assertRefused(
        MisconfiguredFunctions.SaslWithoutMechanism.class,
        data,
        "protocol SASLSSL needs authenticationMode PLAIN, SCRAMSHA256 or SCRAMSHA512");
    assertRefused(
        MisconfiguredFunctions.UnsetPasswordSetting.class,
        data,
        "password '%NoSuchPassword%' names app setting 'NoSuchPassword', which is not set");
    assertRefused(
        MisconfiguredFunctions.BadAvroSchema.class, data, "avroSchema is not a valid Avro schema");
  }

  /** The host starts; the function is listed as disabled with the reason (as on Azure). */
  private static void assertRefused(Class<?> functions, Path data, String reason) throws Exception {
    VeilHost host =
        VeilHost.start(new HostOptions().port(0).dataDirectory(data).functionClass(functions))
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    try {
      String disabled = String.valueOf(host.disabledFunctions());
      assertEquals(1, host.disabledFunctions().size(), disabled);
      assertTrue(disabled.contains(reason), disabled);
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static List<KafkaEvent> join(EventLog log) {
    try {
      List<KafkaEvent> events = log.poll().toCompletionStage().toCompletableFuture().get();
      if (!events.isEmpty()) {
        log.commit(Map.of(events.get(0).partitionId(), events.get(events.size() - 1).offset() + 1));
      }
      return events;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
