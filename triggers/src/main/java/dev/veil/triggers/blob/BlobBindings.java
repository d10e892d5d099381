package dev.veil.triggers.blob;

import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.HostContext;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import dev.veil.storage.BlobStores;
import io.vertx.core.Future;

/**
 * What the blob input and output bindings share: the stores this host's instance opened, one per
 * connection, closed when the host stops.
 */
abstract class BlobBindings implements BindingProvider {
  HostContext host;
  private BlobStores stores;

  @Override
  public Future<Void> start(HostContext host) {
    this.host = host;
    this.stores = new BlobStores(AzureBlobStore.Options.DEFAULT);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    if (stores != null) {
      stores.close();
    }
    return Future.succeededFuture();
  }

  /**
   * The store a binding's {@code connection} names; blocks the first time (call it off the event
   * loop).
   */
  BlobStore store(String connection, BindingRequest request) {
    return stores.get(
        BlobConnections.resolve(connection, request.settings(), host.dataDirectory()));
  }
}
