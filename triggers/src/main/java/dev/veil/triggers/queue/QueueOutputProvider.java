package dev.veil.triggers.queue;

import com.microsoft.azure.functions.annotation.QueueOutput;
import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.HostContext;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * {@code @QueueOutput}: adds the value to {@code queueName} ({@code {name}} and {@code %SETTING%}
 * parts allowed) after a successful call: a String, byte[] or POJO (JSON) is one message, an array
 * or Collection of those one message each. Messages are encoded as host.json {@code
 * extensions.queues.messageEncoding} says (base64 by default).
 */
public final class QueueOutputProvider implements BindingProvider {
  private HostContext host;
  private QueueOptions options;

  @Override
  public Class<? extends Annotation> annotation() {
    return QueueOutput.class;
  }

  @Override
  public Future<Void> start(HostContext host) {
    this.host = host;
    try {
      this.options = QueueOptions.from(host.hostConfig().extension("queues"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> write(BindingRequest request, Object value) {
    if (value == null) return Future.succeededFuture();
    QueueOutput output = request.annotation(QueueOutput.class);
    List<String> messages = new ArrayList<>();
    try {
      for (Object item : items(value)) messages.add(encode(item));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return host.vertx()
        .executeBlocking(
            () -> {
              String queue = request.resolve(output.queueName()).trim();
              QueueService service =
                  QueueServices.forConnection(
                      output.connection(), request.settings(), host.dataDirectory());
              for (String m : messages) service.send(queue, m);
              return null;
            },
            false);
  }

  private static List<Object> items(Object value) {
    if (value instanceof Collection<?> c) return new ArrayList<>(c);
    if (value.getClass().isArray() && !(value instanceof byte[])) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < Array.getLength(value); i++) out.add(Array.get(value, i));
      return out;
    }
    return List.of(value);
  }

  private String encode(Object item) {
    byte[] bytes =
        item instanceof byte[] b
            ? b
            : item instanceof Buffer b
                ? b.getBytes()
                : (item instanceof String s ? s : Conversions.toJson(item))
                    .getBytes(StandardCharsets.UTF_8);
    String text =
        options.base64()
            ? Base64.getEncoder().encodeToString(bytes)
            : new String(bytes, StandardCharsets.UTF_8);
    if (text.length() > MAX_MESSAGE_CHARS) {
      throw new IllegalArgumentException(
          "@QueueOutput: a queue message holds at most 64 KiB, this one is "
              + text.length()
              + " characters"
              + (options.base64() ? " after base64" : ""));
    }
    return text;
  }

  /** Azure Queue Storage's limit on one message. */
  private static final int MAX_MESSAGE_CHARS = 64 * 1024;
}
