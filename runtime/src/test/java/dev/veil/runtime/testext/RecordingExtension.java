package dev.veil.runtime.testext;

import dev.veil.runtime.spi.HostExtension;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.InvocationListener;
import dev.veil.runtime.spi.TriggerContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host extension for the runtime's tests: answers {@code GET /_test/extension}, counts starts and
 * stops, and keeps the invocations the host tells it of.
 */
public final class RecordingExtension implements HostExtension {
  public static final AtomicInteger STARTS = new AtomicInteger();
  public static final AtomicInteger STOPS = new AtomicInteger();
  public static final List<InvocationListener.Event> INVOCATIONS = new CopyOnWriteArrayList<>();

  @Override
  public Future<Void> start(TriggerContext host, HostScope scope, boolean servesTls) {
    STARTS.incrementAndGet();
    host.addInvocationListener(INVOCATIONS::add);
    host.router()
        .get("/_test/extension")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .end(
                        new JsonObject()
                            .put("servesTls", servesTls)
                            .put("functions", host.invoker() != null)
                            .encode()));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    STOPS.incrementAndGet();
    return Future.succeededFuture();
  }
}
