package dev.veil.triggers.kafka;

import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.KafkaTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.Annotation;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code @KafkaTrigger}: consumes a topic in a consumer group and calls the function at least once
 * per record (see {@link KafkaDispatcher}). host.json {@code extensions.kafka}: {@code
 * maxBatchSize} (default 64) caps a MANY batch; {@code SessionTimeoutMs}, {@code
 * HeartbeatIntervalMs} and {@code MaxPollIntervalMs} pass to the consumer as in Azure; consumers
 * are static group members with a 10 s session by default ({@link GroupMembership}, {@code
 * staticMembership: false} turns that off). Without a broker list the embedded in-process queue is
 * used, and the log says so.
 */
public final class KafkaTriggerProvider implements TriggerProvider {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTriggerProvider.class);

  @Override
  public Class<? extends Annotation> annotation() {
    return KafkaTrigger.class;
  }

  /** The consumer settings host.json may override, by their Azure names. */
  private static final Map<String, String> CONSUMER_SETTINGS =
      Map.of(
          "SessionTimeoutMs", "session.timeout.ms",
          "HeartbeatIntervalMs", "heartbeat.interval.ms",
          "MaxPollIntervalMs", "max.poll.interval.ms");

  private static Map<String, String> consumerOverrides(JsonObject kafka) {
    Map<String, String> out = new HashMap<>();
    for (String key : kafka.fieldNames()) {
      CONSUMER_SETTINGS.forEach(
          (azure, consumer) -> {
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
    Optional<String> bootstrap;
    try {
      topic = KafkaSettings.topic(trigger.topic(), context.settings(), "@KafkaTrigger topic");
      group =
          KafkaSettings.resolve(
              trigger.consumerGroup(), context.settings(), "@KafkaTrigger consumerGroup");
      if (group.isEmpty()) {
        group = "$Default";
      }
      boolean many = trigger.cardinality() == Cardinality.MANY;
      Class<?> raw = function.triggerParameter().rawType();
      if (many && !raw.isArray() && !List.class.isAssignableFrom(raw)) {
        throw new IllegalArgumentException(
            "@KafkaTrigger of "
                + function.name()
                + " has cardinality MANY: its parameter must be an array or a List, not "
                + raw.getSimpleName());
      }
      int maxBatchSize = context.hostConfig().extension("kafka").getInteger("maxBatchSize", 64);
      if (maxBatchSize < 1) {
        throw new IllegalArgumentException(
            "host.json extensions.kafka.maxBatchSize must be at least 1");
      }
      String avro =
          KafkaSettings.resolve(
              trigger.avroSchema(), context.settings(), "@KafkaTrigger avroSchema");
      binding =
          new KafkaBinding(
              many,
              "binary".equalsIgnoreCase(trigger.dataType()),
              maxBatchSize,
              avro.isEmpty()
                  ? null
                  : AvroRecords.parse(avro, "@KafkaTrigger of " + function.name()));
      bootstrap =
          KafkaSettings.bootstrap(
              trigger.brokerList(), context.settings(), "@KafkaTrigger of " + function.name());
    } catch (IllegalArgumentException | ClassCastException e) {
      return Future.failedFuture(e);
    }
    Future<EventLog> log;
    EventWriter deadLetters;
    BrokerEventWriter[] brokerWriter = new BrokerEventWriter[1];
    if (bootstrap.isPresent()) {
      JsonObject kafka = context.hostConfig().extension("kafka");
      boolean staticMembership = kafka.getBoolean("staticMembership", true);
      String subscribedGroup = group;
      log =
          context
              .vertx()
              .executeBlocking(
                  () -> {
                    Map<String, String> security =
                        KafkaSecurity.of(trigger)
                            .clientConfig(
                                context.settings(), "@KafkaTrigger of " + function.name());
                    brokerWriter[0] =
                        new BrokerEventWriter(context.vertx(), bootstrap.get(), security);
                    Map<String, String> config =
                        GroupMembership.consumerConfig(
                            context.dataDirectory(), function.name(), staticMembership);
                    config.putAll(consumerOverrides(kafka));
                    config.putAll(security);
                    return config;
                  })
              .compose(
                  config ->
                      BrokerEventLog.subscribe(
                          context.vertx(),
                          bootstrap.get(),
                          subscribedGroup,
                          topic,
                          config,
                          context.meterRegistry(),
                          function.name()));
      deadLetters =
          (topicName, key, value, headers) -> brokerWriter[0].send(topicName, key, value, headers);
    } else {
      deadLetters = EmbeddedTopics.of(context);
      log =
          Future.succeededFuture(
              EmbeddedTopics.of(context).subscribe(context.vertx(), group, topic));
    }
    String groupName = group;
    return log.map(
        l -> {
          BrokerEventWriter writer =
              brokerWriter[0]; // set once the consumer's configuration was made
          if (writer == null) { // one warning per function: records stay in this process and do not
            // survive a restart
            LOG.warn(
                "function {}: Kafka trigger on topic '{}' (group '{}', cardinality {}) has no broker list"
                    + " (brokerList '{}'), so it uses the {}",
                function.name(),
                topic,
                groupName,
                binding.many() ? "MANY" : "ONE",
                trigger.brokerList(),
                l.describe());
          } else {
            LOG.info(
                "function {}: Kafka trigger on topic '{}' (group '{}', cardinality {}) uses the {}",
                function.name(),
                topic,
                groupName,
                binding.many() ? "MANY" : "ONE",
                l.describe());
          }
          KafkaDispatcher dispatcher =
              new KafkaDispatcher(
                  context.vertx(), l, deadLetters, context.invoker(), function, binding);
          dispatcher.start();
          return new TriggerHandle() {
            @Override
            public Future<Void> stop() {
              Future<Void> done = dispatcher.stop();
              return writer == null ? done : done.eventually(writer::close);
            }

            @Override
            public Future<Void> live() {
              return l.joined();
            }

            @Override
            public Map<String, Object> describe() {
              return Map.of(
                  "topic",
                  topic,
                  "consumerGroup",
                  groupName,
                  "cardinality",
                  binding.many() ? "MANY" : "ONE",
                  "source",
                  l.describe());
            }
          };
        });
  }
}
