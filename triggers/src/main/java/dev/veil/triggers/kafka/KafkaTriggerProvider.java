package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code @KafkaTrigger}: consumes a topic in a consumer group and calls the function at least once per
 * record (see {@link KafkaDispatcher}). host.json {@code extensions.kafka}: {@code maxBatchSize} (default 64)
 * caps a MANY batch; {@code SessionTimeoutMs}, {@code HeartbeatIntervalMs} and {@code MaxPollIntervalMs} pass
 * to the consumer as in Azure; consumers are static group members with a 10 s session by default
 * ({@link GroupMembership}, {@code staticMembership: false} turns that off). Without a broker list the embedded in-process queue is used, and the log says so.
 */
public final class KafkaTriggerProvider implements TriggerProvider {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTriggerProvider.class);

  @Override
  public Class<? extends Annotation> annotation() {
    return KafkaTrigger.class;
  }

  /** The consumer settings host.json may override, by their Azure names. */
  private static final Map<String, String> CONSUMER_SETTINGS = Map.of(
      "SessionTimeoutMs", "session.timeout.ms",
      "HeartbeatIntervalMs", "heartbeat.interval.ms",
      "MaxPollIntervalMs", "max.poll.interval.ms");

  private static Map<String, String> consumerOverrides(JsonObject kafka) {
    Map<String, String> out = new HashMap<>();
    for (String key : kafka.fieldNames()) {
      CONSUMER_SETTINGS.forEach((azure, consumer) -> {
        if (azure.equalsIgnoreCase(key)) {
          out.put(consumer, String.valueOf(kafka.getValue(key)));
        }
      });
    }
    return out;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function) {
    KafkaTrigger trigger = function.trigger(KafkaTrigger.class).orElseThrow();
    String topic;
    String group;
    KafkaBinding binding;
    try {
      topic = KafkaSettings.topic(trigger.topic(), context.settings(), "@KafkaTrigger topic");
      group = KafkaSettings.resolve(trigger.consumerGroup(), context.settings(), "@KafkaTrigger consumerGroup");
      if (group.isEmpty()) {
        group = "$Default";
      }
      boolean many = trigger.cardinality() == Cardinality.MANY;
      Class<?> raw = function.triggerParameter().rawType();
      if (many && !raw.isArray() && !List.class.isAssignableFrom(raw)) {
        throw new IllegalArgumentException("@KafkaTrigger of " + function.name()
            + " has cardinality MANY: its parameter must be an array or a List, not " + raw.getSimpleName());
      }
      int maxBatchSize = context.hostConfig().extension("kafka").getInteger("maxBatchSize", 64);
      if (maxBatchSize < 1) {
        throw new IllegalArgumentException("host.json extensions.kafka.maxBatchSize must be at least 1");
      }
      binding = new KafkaBinding(many, "binary".equalsIgnoreCase(trigger.dataType()), maxBatchSize);
    } catch (IllegalArgumentException | ClassCastException e) {
      return Future.failedFuture(e);
    }
    Optional<String> bootstrap = KafkaSettings.bootstrap(trigger.brokerList(), context.settings());
    Future<EventLog> log;
    EventWriter deadLetters;
    BrokerEventWriter brokerWriter = null;
    if (bootstrap.isPresent()) {
      brokerWriter = new BrokerEventWriter(context.vertx(), bootstrap.get());
      deadLetters = brokerWriter;
      JsonObject kafka = context.hostConfig().extension("kafka");
      boolean staticMembership = kafka.getBoolean("staticMembership", true);
      String subscribedGroup = group;
      log = context.vertx().executeBlocking(() -> {
        Map<String, String> config = GroupMembership.consumerConfig(context.dataDirectory(), function.name(), staticMembership);
        config.putAll(consumerOverrides(kafka));
        return config;
      }).compose(config -> BrokerEventLog.subscribe(context.vertx(), bootstrap.get(), subscribedGroup, topic, config));
    } else {
      deadLetters = EmbeddedTopics.of(context);
      log = Future.succeededFuture(EmbeddedTopics.of(context).subscribe(context.vertx(), group, topic));
    }
    BrokerEventWriter writer = brokerWriter;
    String groupName = group;
    return log.map(l -> {
      if (writer == null) { // one warning per function: records stay in this process and do not survive a restart
        LOG.warn("function {}: Kafka trigger on topic '{}' (group '{}', cardinality {}) has no broker list"
            + " (brokerList '{}'), so it uses the {}", function.name(), topic, groupName, binding.many() ? "MANY" : "ONE",
            trigger.brokerList(), l.describe());
      } else {
        LOG.info("function {}: Kafka trigger on topic '{}' (group '{}', cardinality {}) uses the {}", function.name(),
            topic, groupName, binding.many() ? "MANY" : "ONE", l.describe());
      }
      KafkaDispatcher dispatcher = new KafkaDispatcher(context.vertx(), l, deadLetters, context.invoker(), function,
          binding);
      dispatcher.start();
      return new TriggerHandle() {
        @Override
        public Future<Void> stop() {
          Future<Void> done = dispatcher.stop();
          return writer == null ? done : done.eventually(writer::close);
        }

        @Override
        public Map<String, Object> describe() {
          return Map.of("topic", topic, "consumerGroup", groupName, "cardinality", binding.many() ? "MANY" : "ONE",
              "source", l.describe());
        }
      };
    });
  }
}
