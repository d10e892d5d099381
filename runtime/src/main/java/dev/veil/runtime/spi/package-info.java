/**
 * The contract between the Veil host and trigger/binding extensions.
 *
 * <p>A {@link dev.veil.runtime.spi.TriggerProvider} turns external events (HTTP requests, Kafka
 * records, blobs, timer ticks) into {@link dev.veil.runtime.spi.Invocation}s and hands them to the
 * host's {@link dev.veil.runtime.spi.Invoker}. A {@link dev.veil.runtime.spi.BindingProvider} reads
 * input bindings before a call and writes output bindings after a successful one. Both are found
 * with {@link java.util.ServiceLoader}; the runtime never imports a concrete trigger.
 */
package dev.veil.runtime.spi;
