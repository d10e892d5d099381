package dev.veil.triggers.http;

import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.InvocationResult;
import dev.veil.runtime.spi.Invoker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * host.json {@code extensions.http.maxConcurrentRequests} and {@code maxOutstandingRequests}, as
 * the Azure host applies them to HTTP-triggered functions (across all of them): at most
 * maxConcurrentRequests run at once and the rest wait in arrival order; a request that would make
 * more than maxOutstandingRequests running or waiting is answered 429 at once. Unset or -1: no
 * limit (Veil's own {@code veil.workerPoolSize} and {@code veil.maxQueuedInvocations} still apply).
 */
final class HttpThrottle {
  private final int maxConcurrent;
  private final int maxOutstanding;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int running;
  private int outstanding;

  HttpThrottle(int maxConcurrent, int maxOutstanding) {
    this.maxConcurrent = maxConcurrent;
    this.maxOutstanding = maxOutstanding;
  }

  /**
   * Reads the two settings; a value that is not an integer (or is 0 or below -1) is an error naming
   * it.
   */
  static HttpThrottle of(HostConfig config) {
    return new HttpThrottle(
        limit(config, "maxConcurrentRequests"), limit(config, "maxOutstandingRequests"));
  }

  private static int limit(HostConfig config, String name) {
    Object value = config.extension("http").getValue(name);
    if (value == null) return -1;
    if (!(value instanceof Number n)
        || n.intValue() != n.doubleValue()
        || (n.intValue() < 1 && n.intValue() != -1)) {
      throw new IllegalArgumentException(
          "host.json extensions.http." + name + " must be a positive integer or -1, not " + value);
    }
    return n.intValue();
  }

  boolean limits() {
    return maxConcurrent > 0 || maxOutstanding > 0;
  }

  /** {@code invoker} with these limits in front of it (itself when there are none). */
  Invoker around(Invoker invoker) {
    if (!limits()) return invoker;
    return new Invoker() {
      @Override
      public Future<InvocationResult> invoke(dev.veil.runtime.spi.Invocation invocation) {
        return throttled(invoker, invocation);
      }

      @Override
      public boolean hasCapacity() {
        return invoker.hasCapacity();
      }
    };
  }

  private Future<InvocationResult> throttled(
      Invoker invoker, dev.veil.runtime.spi.Invocation invocation) {
    Promise<InvocationResult> done = Promise.promise();
    Context context = Vertx.currentContext();
    Runnable start =
        () -> {
          Future<InvocationResult> call;
          try {
            call = invoker.invoke(invocation);
          } catch (RuntimeException e) {
            call = Future.failedFuture(e);
          }
          call.onComplete(
              ar -> {
                leave();
                done.handle(ar);
              });
        };
    boolean now;
    synchronized (this) {
      if (maxOutstanding > 0 && outstanding >= maxOutstanding) {
        return Future.failedFuture(
            new InvocationFailure(
                InvocationFailure.Kind.OVER_CAPACITY,
                invocation.id(),
                "the host holds its limit of "
                    + maxOutstanding
                    + " outstanding HTTP requests (host.json extensions.http.maxOutstandingRequests)",
                null));
      }
      outstanding++;
      now = maxConcurrent <= 0 || running < maxConcurrent;
      if (now) {
        running++;
      } else {
        waiting.add(context == null ? start : () -> context.runOnContext(v -> start.run()));
      }
    }
    if (now) start.run();
    return done.future();
  }

  private void leave() {
    Runnable next;
    synchronized (this) {
      outstanding--;
      running--;
      next = waiting.poll();
      if (next != null) running++;
    }
    if (next != null) next.run();
  }
}
