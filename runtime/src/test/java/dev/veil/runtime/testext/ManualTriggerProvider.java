package dev.veil.runtime.testext;

import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationResult;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerInput;
import dev.veil.runtime.spi.TriggerProvider;
import io.vertx.core.Future;
import java.lang.annotation.Annotation;
import java.util.Map;

/** Test trigger: remembers the context so a test can push invocations through the real invoker. */
public final class ManualTriggerProvider implements TriggerProvider {
  private static volatile TriggerContext context;

  @Override
  public Class<? extends Annotation> annotation() {
    return ManualTrigger.class;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext ctx, FunctionDefinition function) {
    context = ctx;
    return Future.succeededFuture(() -> Future.succeededFuture());
  }

  /** Invokes a function with a payload and binding data, from the test thread. */
  public static Future<InvocationResult> fire(
      String function, Object payload, Map<String, Object> bindingData) {
    return context.invoker().invoke(Invocation.of(function, TriggerInput.of(payload), bindingData));
  }
}
