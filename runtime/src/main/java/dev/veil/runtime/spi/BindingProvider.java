package dev.veil.runtime.spi;

import io.vertx.core.Future;
import java.lang.annotation.Annotation;

/**
 * Input and output bindings for one annotation (e.g. {@code @BlobInput}, {@code @BlobOutput},
 * {@code @KafkaOutput}). Listed in {@code META-INF/services/dev.veil.runtime.spi.BindingProvider}.
 *
 * <p>A parameter of type {@code OutputBinding<T>} or a method-level annotation (binding the return
 * value) is an output; any other annotated parameter is an input. All methods run on the event loop
 * and must not block; use {@code vertx.executeBlocking} for blocking SDKs.
 */
public interface BindingProvider {

  Class<? extends Annotation> annotation();

  /** Called once when the host starts, before any trigger starts. */
  default Future<Void> start(HostContext host) {
    return Future.succeededFuture();
  }

  /**
   * Reads an input binding before the call. Return a String, byte[], Buffer or an object; the
   * invoker converts it to the parameter type ({@link Conversions#convert}).
   */
  default Future<Object> read(BindingRequest request) {
    return Future.failedFuture(
        new IllegalStateException(annotation().getSimpleName() + " is not an input binding"));
  }

  /**
   * Writes an output binding after the call succeeded. {@code value} is what the function set or
   * returned.
   */
  default Future<Void> write(BindingRequest request, Object value) {
    return Future.failedFuture(
        new IllegalStateException(annotation().getSimpleName() + " is not an output binding"));
  }

  /** Called once when the host stops, after all triggers stopped. */
  default Future<Void> stop() {
    return Future.succeededFuture();
  }
}
