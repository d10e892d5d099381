package dev.veil.runtime.testext;

import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.InvocationFailure;
import io.vertx.core.Future;
import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory "storage" with input and output bindings whose paths use binding expressions. */
public final class MemoryStore {
  public static final Map<String, Object> ENTRIES = new ConcurrentHashMap<>();

  private MemoryStore() {}

  public static final class InputProvider implements BindingProvider {
    @Override
    public Class<? extends Annotation> annotation() {
      return MemoryInput.class;
    }

    @Override
    public Future<Object> read(BindingRequest request) {
      String path = request.resolve(request.annotation(MemoryInput.class).path());
      Object value = ENTRIES.get(path);
      return value != null
          ? Future.succeededFuture(value)
          : Future.failedFuture(InvocationFailure.badInput("no entry at " + path));
    }
  }

  public static final class OutputProvider implements BindingProvider {
    @Override
    public Class<? extends Annotation> annotation() {
      return MemoryOutput.class;
    }

    @Override
    public Future<Void> write(BindingRequest request, Object value) {
      ENTRIES.put(request.resolve(request.annotation(MemoryOutput.class).path()), value);
      return Future.succeededFuture();
    }
  }
}
