package dev.veil.runtime.spi;

import io.vertx.core.Future;

/**
 * Runs invocations: binds parameters (trigger, {@code @BindingName}, input and output bindings,
 * {@code ExecutionContext}), calls the user method on the host's bounded worker pool, applies the retry
 * policy, the host's function timeout and concurrency limit, writes output bindings, records metrics and
 * logs one line per invocation.
 *
 * <p>The returned future fails with an {@link InvocationFailure} whose {@link InvocationFailure.Kind}
 * tells the trigger how to answer (HTTP status, pause a consumer, retry later).
 */
public interface Invoker {

  Future<InvocationResult> invoke(Invocation invocation);

  /** Whether a new invocation would be accepted now (not draining, below the concurrency limit). */
  boolean hasCapacity();
}
