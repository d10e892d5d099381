package dev.veil.runtime.spi;

import io.vertx.core.Future;

/**
 * Runs invocations: binds parameters (trigger, {@code @BindingName}, input and output bindings,
 * {@code ExecutionContext}), calls the user method on the host's bounded worker pool, applies the
 * retry policy, the host's function timeout and concurrency limit, writes output bindings, records
 * metrics and logs one line per invocation.
 *
 * <p>The returned future fails with an {@link InvocationFailure} whose {@link
 * InvocationFailure.Kind} tells the trigger how to answer (HTTP status, pause a consumer, retry
 * later).
 */
public interface Invoker {

  Future<InvocationResult> invoke(Invocation invocation);

  /** Whether a new invocation would be accepted now (not draining, below the concurrency limit). */
  boolean hasCapacity();

  /**
   * The invoker a trigger uses for {@code function}: on a clustered host, invocations whose input
   * is a {@link RemoteInput} may run on another node that hosts the function, carried by {@code
   * codec} (which every node registers for the function this way); anything else runs here.
   * Stand-alone: this invoker.
   */
  default Invoker routed(String function, InvocationCodec codec) {
    return this;
  }
}
