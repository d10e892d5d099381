package dev.veil.runtime.spi;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Buffers an HTTP request body as the raw bytes the client sent, whatever its content type.
 *
 * <p>Vert.x's {@code BodyHandler} decodes multipart and form bodies into attributes and keeps no bytes for
 * them; Azure Functions hands every body to the function untouched (a function parses its own multipart), so
 * the host reads bodies with this handler instead. A body over the limit fails the route with 413, before any
 * byte is buffered when Content-Length already says so.
 */
public final class RequestBodies {
  private static final String KEY = "veil.requestBody";
  private static final int MAX_PREALLOCATED = 64 * 1024;

  private RequestBodies() {
  }

  /** A route handler that buffers the body (at most {@code limit} bytes) and then calls the next handler. */
  public static Handler<RoutingContext> reader(long limit) {
    return ctx -> read(ctx, limit);
  }

  /** The body read by {@link #reader}; empty when the request had none. */
  public static Buffer of(RoutingContext ctx) {
    Buffer body = ctx.get(KEY);
    return body == null ? Buffer.buffer() : body;
  }

  private static void read(RoutingContext ctx, long limit) {
    HttpServerRequest request = ctx.request();
    if (ctx.get(KEY) != null) {
      ctx.next();
      return;
    }
    long declared = contentLength(request);
    boolean chunked = request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    if (declared <= 0 && !chunked) {
      ctx.put(KEY, Buffer.buffer());
      ctx.next();
      return;
    }
    if (declared > limit) {
      ctx.fail(413);
      return;
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT)) && request.version() != HttpVersion.HTTP_1_0) {
      ctx.response().writeContinue();
    }
    if (request.isEnded()) {
      ctx.fail(new IllegalStateException("the request body was consumed before the body reader ran"));
      return;
    }
    Buffer body = Buffer.buffer((int) Math.min(declared > 0 ? declared : 1024, MAX_PREALLOCATED));
    boolean[] failed = {false};
    request.handler(chunk -> {
      if (failed[0]) return;
      if ((long) body.length() + chunk.length() > limit) {
        failed[0] = true;
        ctx.fail(413);
      } else {
        body.appendBuffer(chunk);
      }
    });
    request.exceptionHandler(e -> {
      if (!failed[0]) {
        failed[0] = true;
        ctx.fail(400, e);
      }
    });
    request.endHandler(v -> {
      if (failed[0]) return;
      ctx.put(KEY, body);
      ctx.next();
    });
    request.resume();
  }

  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null || value.isEmpty()) return -1;
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
