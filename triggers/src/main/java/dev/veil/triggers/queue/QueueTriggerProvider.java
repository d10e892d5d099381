package dev.veil.triggers.queue;

import com.microsoft.azure.functions.annotation.QueueTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import io.vertx.core.Future;
import java.lang.annotation.Annotation;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code @QueueTrigger}: calls the function for each message of {@code queueName} ({@code
 * %SETTING%} parts allowed) in the queue service {@code connection} names (see {@link
 * QueueServices}); delivery as in {@link QueueListener}, settings in {@link QueueOptions}. The
 * trigger parameter gets the decoded message text (String, byte[] or a POJO from JSON); binding
 * data {@code Id}, {@code DequeueCount}, {@code InsertionTime}, {@code ExpirationTime}, {@code
 * NextVisibleTime}, {@code PopReceipt} and {@code QueueTrigger}.
 */
public final class QueueTriggerProvider implements TriggerProvider {
  private static final Logger LOG = LoggerFactory.getLogger(QueueTriggerProvider.class);

  @Override
  public Class<? extends Annotation> annotation() {
    return QueueTrigger.class;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function) {
    QueueTrigger trigger = function.trigger(QueueTrigger.class).orElseThrow();
    QueueListener listener;
    QueueService service;
    String queue;
    try {
      queue = context.settings().expand(trigger.queueName()).trim();
      if (queue.isEmpty()) throw new IllegalArgumentException("queueName is empty");
      QueueOptions options = QueueOptions.from(context.hostConfig().extension("queues"));
      service =
          QueueServices.forConnection(
              trigger.connection(), context.settings(), context.dataDirectory());
      listener =
          new QueueListener(context.vertx(), service, queue, function, context.invoker(), options);
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalArgumentException("function " + function.name() + ": " + e.getMessage(), e));
    }
    return listener
        .start()
        .map(
            x -> {
              LOG.info(
                  "function {}: queue trigger on '{}' uses the {}",
                  function.name(),
                  queue,
                  service.describe());
              return new TriggerHandle() {
                @Override
                public Future<Void> stop() {
                  return listener.stop();
                }

                @Override
                public Map<String, Object> describe() {
                  return Map.of("queue", queue, "store", service.describe());
                }
              };
            });
  }
}
