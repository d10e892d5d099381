package dev.veil.runtime.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;

/**
 * Buffers an HTTP request body as the raw bytes the client sent, whatever its content type.
 *
 * <p>The bytes are copied once, from Netty's chunks into the array handed to the function: with a
 * Content-Length the array grows to exactly that size (starting small, so a client that declares
 * much and sends little holds little memory), and the function receives that array itself.
 *
 * <p>Vert.x's {@code BodyHandler} decodes multipart and form bodies into attributes and keeps no
 * bytes for them; Azure Functions hands every body to the function untouched (a function parses its
 * own multipart), so the host reads bodies with this handler instead. A body over the limit fails
 * the route with 413, before any byte is buffered when Content-Length already says so.
 */
public final class RequestBodies {
  private static final String KEY = "veil.requestBody";
  private static final int MAX_PREALLOCATED = 64 * 1024;

  /** The body of a request without one. */
  public static final byte[] EMPTY = new byte[0];

  private RequestBodies() {}

  /**
   * A route handler that buffers the body (at most {@code limit} bytes) and then calls the next
   * handler.
   */
  public static Handler<RoutingContext> reader(long limit) {
    return ctx -> read(ctx, limit);
  }

  /** The body read by {@link #reader}; empty when the request had none. */
  public static byte[] of(RoutingContext ctx) {
    byte[] body = ctx.get(KEY);
    return body == null ? EMPTY : body;
  }

  private static void read(RoutingContext ctx, long limit) {
    if (ctx.get(KEY) != null) {
      ctx.next();
      return;
    }
    read(ctx.request(), limit)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                ctx.put(KEY, ar.result());
                ctx.next();
              } else if (ar.cause() instanceof TooLarge) {
                ctx.fail(413);
              } else if (ar.cause() instanceof IllegalStateException) {
                ctx.fail(ar.cause());
              } else {
                ctx.fail(400, ar.cause());
              }
            });
  }

  /**
   * Buffers the body of a request that no handler has read yet. Fails with {@link TooLarge} past
   * {@code limit} bytes (before buffering any when Content-Length says so), with the stream's error
   * when the upload breaks off, or with an {@link IllegalStateException} when the body was already
   * consumed.
   */
  public static Future<byte[]> read(HttpServerRequest request, long limit) {
    long declared = contentLength(request);
    boolean chunked =
        request.version() == HttpVersion.HTTP_2
            || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    if (declared <= 0 && !chunked) return Future.succeededFuture(EMPTY);
    if (declared > limit) return Future.failedFuture(new TooLarge(limit));
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))
        && request.version() != HttpVersion.HTTP_1_0) {
      request.response().writeContinue();
    }
    if (request.isEnded()) {
      return Future.failedFuture(
          new IllegalStateException("the request body was consumed before the body reader ran"));
    }
    Promise<byte[]> done = Promise.promise();
    Body body = new Body(declared);
    request.handler(
        chunk -> {
          if (done.future().isComplete()) return;
          if ((long) body.length + chunk.length() > limit) {
            done.fail(new TooLarge(limit));
          } else {
            body.append(chunk);
          }
        });
    request.exceptionHandler(done::tryFail);
    request.endHandler(v -> done.tryComplete(body.bytes()));
    request.resume();
    return done.future();
  }

  /**
   * The bytes received so far, in an array that grows by doubling but never past the declared
   * length: a body that matches its Content-Length ends in an array of exactly its size.
   */
  private static final class Body {
    private final long declared;
    private byte[] array;
    private int length;

    Body(long declared) {
      this.declared = declared;
      this.array = new byte[(int) Math.min(declared > 0 ? declared : 1024, MAX_PREALLOCATED)];
    }

    void append(Buffer chunk) {
      int needed = length + chunk.length();
      if (needed > array.length) {
        long grown = Math.max(needed, 2L * array.length);
        if (declared >= needed) grown = Math.min(grown, declared);
        array = Arrays.copyOf(array, (int) Math.min(grown, Integer.MAX_VALUE - 8));
      }
      chunk.getBytes(0, chunk.length(), array, length);
      length = needed;
    }

    byte[] bytes() {
      return length == array.length ? array : Arrays.copyOf(array, length);
    }
  }

  /** A body over the host's limit. */
  public static final class TooLarge extends RuntimeException {
    TooLarge(long limit) {
      super("the request body is larger than the limit of " + limit + " bytes", null, false, false);
    }
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
