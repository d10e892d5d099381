package dev.veil.triggers.blob;

import com.microsoft.azure.functions.annotation.BlobInput;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.storage.BlobNotFoundException;
import dev.veil.storage.BlobStore;
import io.vertx.core.Future;
import java.io.InputStream;
import java.lang.annotation.Annotation;

/**
 * {@code @BlobInput}: reads the blob at the resolved path before the call. An InputStream parameter
 * gets a stream (the content is not read whole); other types get the content. A missing blob binds
 * {@code null}. The stores it opens belong to this host's instance and are closed with the host.
 */
public final class BlobInputProvider extends BlobBindings {

  @Override
  public Class<? extends Annotation> annotation() {
    return BlobInput.class;
  }

  @Override
  public Future<Object> read(BindingRequest request) {
    BlobInput input = request.annotation(BlobInput.class);
    return host.vertx()
        .executeBlocking(
            () -> {
              String[] path = BlobConnections.split(request.resolve(input.path()), "@BlobInput");
              BlobStore store = store(input.connection(), request);
              boolean stream =
                  request.parameter() != null
                      && InputStream.class.isAssignableFrom(request.parameter().rawType());
              try {
                return stream
                    ? store.open(path[0], path[1]).stream()
                    : store.read(path[0], path[1]);
              } catch (BlobNotFoundException e) {
                return null;
              }
            },
            false);
  }
}
