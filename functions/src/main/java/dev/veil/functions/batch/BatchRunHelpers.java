package dev.veil.functions.batch;

import dev.veil.runtime.spi.HostExtension;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.TriggerContext;
import io.vertx.core.Future;

/**
 * Makes every member of a clustered host a helper of the batch runs other members coordinate: a
 * run's announcement (see {@link BatchRuns}) sets this host's worker on its mini-batches. Function
 * instances are made per invocation, so a member that serves no batch call itself would otherwise
 * never hear of the run; the run service is set up only on the first announcement.
 */
public final class BatchRunHelpers implements HostExtension {
  @Override
  public Future<Void> start(TriggerContext host, HostScope scope, boolean servesTls) {
    scope
        .broadcasts()
        .listen(
            BatchRuns.ANNOUNCE,
            id ->
                scope
                    .vertx()
                    .executeBlocking( // connecting the run storage may block
                        () -> {
                          BatchRuns.of(scope).help(id);
                          return null;
                        },
                        false));
    return Future.succeededFuture();
  }
}
