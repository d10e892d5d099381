package dev.veil.triggers.blob;

import com.microsoft.azure.functions.annotation.BlobOutput;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.Conversions;
import dev.veil.storage.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;

/**
 * {@code @BlobOutput}: writes the value (byte[], String, InputStream, or a POJO as JSON) to the
 * blob at the resolved path after a successful call; {@code OutputBinding<byte[]>} is the usual
 * form. The stores it opens belong to this host's instance and are closed with the host.
 */
public final class BlobOutputProvider extends BlobBindings {

  @Override
  public Class<? extends Annotation> annotation() {
    return BlobOutput.class;
  }

  @Override
  public Future<Void> write(BindingRequest request, Object value) {
    if (value == null) {
      return Future.succeededFuture();
    }
    BlobOutput output = request.annotation(BlobOutput.class);
    return host.vertx()
        .executeBlocking(
            () -> {
              String[] path = BlobConnections.split(request.resolve(output.path()), "@BlobOutput");
              BlobStore store = store(output.connection(), request);
              store.write(path[0], path[1], bytes(value));
              return null;
            },
            false);
  }

  private static byte[] bytes(Object value) throws java.io.IOException {
    if (value instanceof byte[] b) {
      return b;
    }
    if (value instanceof Buffer b) {
      return b.getBytes();
    }
    if (value instanceof InputStream in) {
      try (in) {
        return in.readAllBytes();
      }
    }
    return (value instanceof String s ? s : Conversions.toJsonAsTheAzureWorker(value))
        .getBytes(StandardCharsets.UTF_8);
  }
}
