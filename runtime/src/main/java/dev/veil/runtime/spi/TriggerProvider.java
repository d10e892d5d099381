package dev.veil.runtime.spi;

import io.vertx.core.Future;
import java.lang.annotation.Annotation;

/**
 * Starts functions whose trigger parameter carries {@link #annotation()}. Implementations are
 * listed in {@code META-INF/services/dev.veil.runtime.spi.TriggerProvider} and need a public
 * no-argument constructor. {@link #start} runs on the event loop: it must not block.
 */
public interface TriggerProvider {

  /** The trigger annotation this provider handles, e.g. {@code HttpTrigger.class}. */
  Class<? extends Annotation> annotation();

  /** Starts taking events for one function; the future completes when intake is running. */
  Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function);
}
