package dev.veil.triggers.blob;

import com.microsoft.azure.functions.annotation.BlobInput;
import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.HostContext;
import io.vertx.core.Future;
import java.io.InputStream;
import java.lang.annotation.Annotation;

/**
 * {@code @BlobInput}: reads the blob at the resolved path before the call. An InputStream parameter gets a
 * stream (the content is not read whole); other types get the content. A missing blob binds {@code null}.
 */
public final class BlobInputProvider implements BindingProvider {
  private HostContext host;

  @Override
  public Class<? extends Annotation> annotation() {
    return BlobInput.class;
  }

  @Override
  public Future<Void> start(HostContext host) {
    this.host = host;
    return Future.succeededFuture();
  }

  @Override
  public Future<Object> read(BindingRequest request) {
    BlobInput input = request.annotation(BlobInput.class);
    return host.vertx().executeBlocking(() -> {
      String[] path = BlobStores.split(request.resolve(input.path()), "@BlobInput");
      BlobStore store = BlobStores.forConnection(input.connection(), request.settings(), host.dataDirectory());
      boolean stream = request.parameter() != null
          && InputStream.class.isAssignableFrom(request.parameter().rawType());
      return stream ? store.open(path[0], path[1]) : store.read(path[0], path[1]);
    }, false);
  }
}
