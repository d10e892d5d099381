package dev.veil.triggers.blob;

import com.microsoft.azure.functions.annotation.BlobTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.RetryPolicy;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.annotation.Annotation;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code @BlobTrigger}: calls the function for each new or changed blob whose name matches the path
 * (see {@link BlobScanner}). host.json {@code extensions.blobs}: {@code maxDegreeOfParallelism}
 * (default 8), {@code maxDequeueCount} (attempts before the poison record, default 5), {@code
 * maxPollingInterval} (longest pause between idle scans, default {@code 00:00:10}), {@code
 * leaseDuration} (cluster mode: how long a crashed node keeps the container's listing lease,
 * default {@code 00:00:30}). Each trigger opens its own store and closes it when stopped: nothing
 * is shared beyond the host that started it.
 */
public final class BlobTriggerProvider implements TriggerProvider {
  private static final Logger LOG = LoggerFactory.getLogger(BlobTriggerProvider.class);

  @Override
  public Class<? extends Annotation> annotation() {
    return BlobTrigger.class;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function) {
    BlobTrigger trigger = function.trigger(BlobTrigger.class).orElseThrow();
    BlobPathPattern path;
    BlobScanner.Options options;
    String connection;
    try {
      path = new BlobPathPattern(context.settings().expand(trigger.path()));
      JsonObject blobs = context.hostConfig().extension("blobs");
      options =
          new BlobScanner.Options(
              blobs.getInteger("maxDegreeOfParallelism", 8),
              blobs.getInteger("maxDequeueCount", 5),
              RetryPolicy.parseInterval(blobs.getString("maxPollingInterval", "00:00:10")),
              RetryPolicy.parseInterval(blobs.getString("leaseDuration", "00:00:30")));
      if (options.parallelism() < 1 || options.maxDequeueCount() < 1) {
        throw new IllegalArgumentException(
            "host.json extensions.blobs.maxDegreeOfParallelism and maxDequeueCount must be at least 1");
      }
      connection =
          BlobConnections.resolve(
              trigger.connection(), context.settings(), context.dataDirectory());
    } catch (RuntimeException e) {
      return Future.failedFuture(
          new IllegalArgumentException("function " + function.name() + ": " + e.getMessage(), e));
    }
    BlobStore store;
    try {
      store = BlobStores.connect(connection, AzureBlobStore.Options.DEFAULT);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(
          new IllegalArgumentException("function " + function.name() + ": " + e.getMessage(), e));
    }
    BlobScanner scanner =
        new BlobScanner(
            context.vertx(),
            store,
            path,
            function,
            context.invoker(),
            options,
            context.leases(),
            context.meterRegistry());
    return scanner
        .start()
        .onFailure(e -> store.close())
        .map(
            x -> {
              LOG.info(
                  "function {}: blob trigger on '{}' uses the {}",
                  function.name(),
                  trigger.path(),
                  store.describe());
              return new TriggerHandle() {
                @Override
                public Future<Void> stop() {
                  return scanner.stop().onComplete(ar -> store.close());
                }

                @Override
                public Map<String, Object> describe() {
                  return Map.of("path", trigger.path(), "store", store.describe());
                }
              };
            });
  }
}
