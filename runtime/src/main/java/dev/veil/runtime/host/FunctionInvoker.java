package dev.veil.runtime.host;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.spi.inject.FunctionInstanceInjector;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.BindingRequest;
import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.InvocationFailure.Kind;
import dev.veil.runtime.spi.InvocationListener;
import dev.veil.runtime.spi.InvocationResult;
import dev.veil.runtime.spi.Invoker;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invocation pipeline shared by every trigger kind: admission (concurrency limit, draining),
 * input bindings, parameter binding and the user call on a bounded worker pool, per-attempt
 * timeout, retries, output bindings, metrics and one log line per invocation.
 */
public final class FunctionInvoker implements Invoker {
  private static final Logger LOG = LoggerFactory.getLogger("dev.veil.invocations");

  private final Vertx vertx;
  private final AppSettings settings;
  private final Map<String, CallPlan> plans = new ConcurrentHashMap<>();
  private final WorkerPool workers;
  private final int limit;
  private final long timeoutMillis;
  private final InvocationMetrics metrics;
  private final FunctionInstances instances;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<InvocationListener> listeners = new CopyOnWriteArrayList<>();
  private volatile Promise<Void> idle;
  private volatile boolean draining;

  /**
   * @param scope what function instances made through a {@link HostScope} constructor receive
   */
  public FunctionInvoker(
      Vertx vertx,
      HostConfig config,
      AppSettings settings,
      MeterRegistry registry,
      HostScope scope) {
    this.vertx = vertx;
    this.instances = new FunctionInstances(scope);
    this.settings = settings;
    this.limit = config.workerPoolSize() + config.maxQueuedInvocations();
    this.timeoutMillis = config.functionTimeout().map(Duration::toMillis).orElse(0L);
    this.metrics = new InvocationMetrics(registry);
    this.workers = new WorkerPool(config.workerPoolSize(), "veil-worker-");
  }

  /**
   * Makes a function invokable.
   *
   * @throws IllegalStateException naming the problem when a parameter cannot be bound (no provider
   *     for its annotation, no annotation at all) or no instance can be made (no app injector and
   *     no public no-argument constructor)
   */
  public void register(
      FunctionDefinition function, Map<Class<? extends Annotation>, BindingProvider> bindings) {
    plans.put(function.name(), CallPlan.of(function, bindings, instances));
  }

  @Override
  public boolean hasCapacity() {
    return !draining && inFlight.get() < limit;
  }

  /** Invocations admitted and not yet finished. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public Future<InvocationResult> invoke(Invocation invocation) {
    CallPlan plan = plans.get(invocation.functionName());
    if (plan == null) {
      return Future.failedFuture(
          new InvocationFailure(
              Kind.NOT_FOUND,
              invocation.id(),
              "no function named '" + invocation.functionName() + "' runs on this host",
              null));
    }
    long start = System.nanoTime();
    if (draining) return reject(invocation, Kind.SHUTTING_DOWN, "the host is shutting down", start);
    if (inFlight.incrementAndGet() > limit) {
      release();
      return reject(
          invocation,
          Kind.OVER_CAPACITY,
          "the host is at its limit of " + limit + " concurrent invocations; try again later",
          start);
    }
    Context context = vertx.getOrCreateContext();
    if (plan.direct) return new DirectCall(plan, invocation, context, start).submit();
    return guarded(() -> attempt(plan, invocation, context, 0))
        .transform(
            ar -> {
              release();
              return ar.succeeded()
                  ? Future.succeededFuture(
                      succeeded(invocation, ar.result().value, ar.result().attempts, start))
                  : Future.failedFuture(failed(invocation, ar.cause(), start));
            });
  }

  /** Counts and logs a finished invocation; any thread. */
  private InvocationResult succeeded(
      Invocation invocation, Object value, int attempts, long start) {
    long nanos = System.nanoTime() - start;
    String status = InvocationMetrics.statusOf(value);
    metrics.record(invocation.functionName(), status, nanos);
    if (!listeners.isEmpty()) {
      int code = value instanceof HttpResponseMessage answer ? answer.getStatusCode() : 0;
      tell(invocation, status, code, nanos, null);
    }
    if (status != InvocationMetrics.SUCCESS) {
      logAnswered(invocation, status, (HttpResponseMessage) value, attempts, nanos);
    } else if (LOG.isInfoEnabled()) {
      // Concatenated rather than {}-formatted: this line is written once per invocation.
      LOG.info(
          "function="
              + invocation.functionName()
              + " invocation="
              + invocation.id()
              + " status=success attempts="
              + attempts
              + " durationMs="
              + millis(nanos));
    }
    return new InvocationResult(invocation.id(), value, attempts, Duration.ofNanos(nanos));
  }

  /**
   * A function that answered an HTTP error itself: a client error is bad input (INFO), a server
   * error a WARN.
   */
  private static void logAnswered(
      Invocation invocation, String status, HttpResponseMessage answer, int attempts, long nanos) {
    if (status == InvocationMetrics.CLIENT_ERROR) {
      LOG.info(
          "function={} invocation={} status={} code={} attempts={} durationMs={}",
          invocation.functionName(),
          invocation.id(),
          status,
          answer.getStatusCode(),
          attempts,
          millis(nanos));
    } else {
      LOG.warn(
          "function={} invocation={} status={} code={} attempts={} durationMs={}",
          invocation.functionName(),
          invocation.id(),
          status,
          answer.getStatusCode(),
          attempts,
          millis(nanos));
    }
  }

  /** Counts and logs a failed invocation; any thread. */
  private InvocationFailure failed(Invocation invocation, Throwable cause, long start) {
    long nanos = System.nanoTime() - start;
    InvocationFailure failure = classify(cause, invocation.id());
    metrics.record(invocation.functionName(), status(failure.kind()), nanos);
    if (!listeners.isEmpty())
      tell(invocation, status(failure.kind()), 0, nanos, failure.getMessage());
    if (failure.kind() == Kind.BAD_INPUT) {
      LOG.info(
          "function={} invocation={} status=bad_input durationMs={} problem=\"{}\"",
          invocation.functionName(),
          invocation.id(),
          millis(nanos),
          failure.getMessage());
    } else {
      LOG.warn(
          "function={} invocation={} status={} durationMs={} problem=\"{}\"",
          invocation.functionName(),
          invocation.id(),
          status(failure.kind()),
          millis(nanos),
          failure.getMessage(),
          failure.getCause());
    }
    return failure;
  }

  /**
   * Stops admitting invocations; the future completes when none is in flight or after {@code
   * timeout}, whichever comes first.
   */
  public Future<Void> drain(Duration timeout) {
    Promise<Void> done = Promise.promise();
    idle = done;
    draining = true;
    if (inFlight.get() == 0) done.tryComplete();
    long timer =
        vertx.setTimer(
            Math.max(1, timeout.toMillis()),
            id -> {
              int left = inFlight.get();
              if (done.tryComplete())
                LOG.warn(
                    "{} invocation(s) still running after the shutdown timeout of {}",
                    left,
                    timeout);
            });
    return done.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  /** Stops the worker threads (interrupting any still running). */
  public void close() {
    workers.shutdownNow();
  }

  private Future<InvocationResult> reject(
      Invocation invocation, Kind kind, String message, long start) {
    long nanos = System.nanoTime() - start;
    metrics.record(invocation.functionName(), status(kind), nanos);
    if (!listeners.isEmpty()) tell(invocation, status(kind), 0, nanos, message);
    return Future.failedFuture(new InvocationFailure(kind, invocation.id(), message, null));
  }

  /** From now on, tells {@code listener} of every finished invocation. */
  public void addListener(InvocationListener listener) {
    listeners.add(listener);
  }

  private void tell(Invocation invocation, String status, int code, long nanos, String problem) {
    InvocationListener.Event event =
        new InvocationListener.Event(
            System.currentTimeMillis(),
            invocation.functionName(),
            invocation.id(),
            status,
            code,
            nanos,
            problem);
    for (InvocationListener listener : listeners) {
      try {
        listener.finished(event);
      } catch (RuntimeException e) {
        LOG.warn("an invocation listener failed", e);
      }
    }
  }

  private void release() {
    if (inFlight.decrementAndGet() == 0 && draining) {
      Promise<Void> done = idle;
      if (done != null) done.tryComplete();
    }
  }

  private Future<Outcome> attempt(
      CallPlan plan, Invocation invocation, Context context, int retry) {
    Object[] inputs = new Object[plan.slots.size()];
    // Stages a function does not need are skipped: fewer futures on the event loop.
    Future<Call> call =
        plan.hasInputs
            ? readInputs(plan, invocation, inputs)
                .compose(v -> runOnWorker(plan, invocation, context, inputs, retry))
            : runOnWorker(plan, invocation, context, inputs, retry);
    Future<Outcome> outcome =
        plan.hasOutputs
            ? call.compose(
                c -> writeOutputs(plan, invocation, c).map(new Outcome(c.value, retry + 1)))
            : call.map(c -> new Outcome(c.value, retry + 1));
    if (plan.function.retry().maxRetryCount() == 0) return outcome;
    return outcome.recover(
        err -> {
          InvocationFailure failure = classify(err, invocation.id());
          boolean retryable =
              failure.kind() == Kind.FUNCTION_ERROR || failure.kind() == Kind.TIMEOUT;
          if (!retryable || !plan.function.retry().allowsRetry(retry) || draining)
            return Future.failedFuture(failure);
          long delay = Math.max(1, plan.function.retry().delayBefore(retry + 1).toMillis());
          LOG.info(
              "function={} invocation={} retry={} inMs={} after=\"{}\"",
              invocation.functionName(),
              invocation.id(),
              retry + 1,
              delay,
              failure.getMessage());
          Promise<Outcome> next = Promise.promise();
          vertx.setTimer(
              delay, id -> attempt(plan, invocation, context, retry + 1).onComplete(next));
          return next.future();
        });
  }

  private Future<Void> readInputs(CallPlan plan, Invocation invocation, Object[] inputs) {
    List<Future<?>> reads = new ArrayList<>();
    for (int i = 0; i < plan.slots.size(); i++) {
      Slot slot = plan.slots.get(i);
      if (slot.kind != SlotKind.INPUT) continue;
      int index = i;
      reads.add(
          guarded(() -> slot.provider.read(request(plan, slot, invocation)))
              .onSuccess(value -> inputs[index] = value));
    }
    return reads.isEmpty() ? Future.succeededFuture() : Future.all(reads).mapEmpty();
  }

  private Future<Call> runOnWorker(
      CallPlan plan, Invocation invocation, Context context, Object[] inputs, int retry) {
    Promise<Call> promise = Promise.promise();
    Runnable task =
        () -> {
          try {
            Call call = plan.call(invocation, inputs, retry);
            context.runOnContext(v -> promise.tryComplete(call));
          } catch (Throwable t) {
            context.runOnContext(v -> promise.tryFail(t));
          }
        };
    if (timeoutMillis == 0) {
      workers.execute(task);
      return promise.future();
    }
    FutureTask<Void> running = new FutureTask<>(task, null);
    workers.execute(running);
    long timer =
        vertx.setTimer(
            timeoutMillis,
            id -> {
              if (promise.tryFail(timedOut(invocation))) {
                running.cancel(true); // interrupts the user code
              }
            });
    promise.future().onComplete(ar -> vertx.cancelTimer(timer));
    return promise.future();
  }

  private InvocationFailure timedOut(Invocation invocation) {
    return new InvocationFailure(
        Kind.TIMEOUT,
        invocation.id(),
        "the function ran longer than the functionTimeout of " + Duration.ofMillis(timeoutMillis),
        null);
  }

  private Future<Void> writeOutputs(CallPlan plan, Invocation invocation, Call call) {
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < plan.slots.size(); i++) {
      Slot slot = plan.slots.get(i);
      if (slot.kind != SlotKind.OUTPUT) continue;
      Object value = ((Holder<?>) call.args[i]).getValue();
      if (value != null)
        writes.add(guarded(() -> slot.provider.write(request(plan, slot, invocation), value)));
    }
    if (call.value != null) {
      for (Slot slot : plan.returnSlots)
        writes.add(guarded(() -> slot.provider.write(request(plan, slot, invocation), call.value)));
    }
    return writes.isEmpty() ? Future.succeededFuture() : Future.all(writes).mapEmpty();
  }

  // A provider that throws instead of returning a failed future must not break the pipeline's
  // accounting.
  private static <T> Future<T> guarded(java.util.function.Supplier<Future<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private BindingRequest request(CallPlan plan, Slot slot, Invocation invocation) {
    return new BindingRequest(plan.function, slot.parameter, slot.annotation, invocation, settings);
  }

  private static InvocationFailure classify(Throwable err, String invocationId) {
    if (err instanceof InvocationFailure f)
      return f.invocationId() == null ? f.withInvocationId(invocationId) : f;
    if (err instanceof UserCodeFailure u) {
      Throwable cause = unwrapped(u.getCause());
      if (cause instanceof IllegalArgumentException) {
        String message = cause.getMessage() != null ? cause.getMessage() : "invalid input";
        return new InvocationFailure(Kind.BAD_INPUT, invocationId, message, cause);
      }
      return new InvocationFailure(
          Kind.FUNCTION_ERROR, invocationId, "the function threw " + cause, cause);
    }
    return new InvocationFailure(
        Kind.FUNCTION_ERROR, invocationId, String.valueOf(err.getMessage()), err);
  }

  /**
   * The exception inside the wrappers of asynchronous calls (a cache load, a future) user code
   * waited on.
   */
  private static Throwable unwrapped(Throwable t) {
    Throwable inner = t;
    for (int depth = 0;
        depth < 4
            && (inner instanceof CompletionException || inner instanceof ExecutionException)
            && inner.getCause() != null;
        depth++) {
      inner = inner.getCause();
    }
    return inner instanceof IllegalArgumentException ? inner : t;
  }

  private static String status(Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Milliseconds with two decimals, without the floating-point formatting that is slow on this
   * per-invocation path.
   */
  private static String millis(long nanos) {
    long hundredths = (nanos + 5_000) / 10_000;
    long fraction = hundredths % 100;
    return (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction;
  }

  /**
   * One invocation of a function without input or output bindings and without a retry policy (most
   * HTTP functions). The worker that runs it also counts and logs it, so the event loop, one thread
   * for many connections, only hands the call over and takes the answer back, with one promise
   * instead of a chain of futures. A timeout and the worker race to settle the call; whichever
   * comes first reports it.
   */
  private final class DirectCall implements Runnable {
    private final CallPlan plan;
    private final Invocation invocation;
    private final Context context;
    private final long start;
    private final Promise<InvocationResult> promise = Promise.promise();
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile long timer = -1;

    DirectCall(CallPlan plan, Invocation invocation, Context context, long start) {
      this.plan = plan;
      this.invocation = invocation;
      this.context = context;
      this.start = start;
    }

    Future<InvocationResult> submit() {
      if (timeoutMillis == 0) {
        workers.execute(this);
        return promise.future();
      }
      FutureTask<Void> running = new FutureTask<>(this, null);
      timer =
          vertx.setTimer(
              timeoutMillis,
              id -> {
                if (!settled.compareAndSet(false, true)) return;
                running.cancel(true); // interrupts the user code
                InvocationFailure failure = failed(invocation, timedOut(invocation), start);
                release();
                promise.fail(failure);
              });
      workers.execute(running);
      return promise.future();
    }

    @Override
    public void run() {
      Object value;
      try {
        value = plan.call(invocation, NO_INPUTS, 0).value;
      } catch (Throwable t) {
        if (settled.compareAndSet(false, true)) {
          InvocationFailure failure = failed(invocation, t, start);
          context.runOnContext(v -> settle(null, failure));
        }
        return;
      }
      if (settled.compareAndSet(false, true)) {
        InvocationResult result = succeeded(invocation, value, 1, start);
        context.runOnContext(v -> settle(result, null));
      }
    }

    private void settle(InvocationResult result, InvocationFailure failure) {
      if (timer >= 0) vertx.cancelTimer(timer);
      release();
      if (failure == null) promise.complete(result);
      else promise.fail(failure);
    }
  }

  private static final Object[] NO_INPUTS = new Object[0];

  private record Outcome(Object value, int attempts) {}

  private record Call(Object value, Object[] args) {}

  /** An exception thrown by user code (as opposed to the host's own binding code). */
  private static final class UserCodeFailure extends RuntimeException {
    UserCodeFailure(Throwable cause) {
      super(cause);
    }
  }

  private enum SlotKind {
    TRIGGER,
    CONTEXT,
    BINDING_NAME,
    INPUT,
    OUTPUT
  }

  private record Slot(
      SlotKind kind,
      FunctionParameter parameter,
      Annotation annotation,
      BindingProvider provider,
      String bindingName) {}

  private static final class Holder<T> implements OutputBinding<T> {
    private T value;

    @Override
    public T getValue() {
      return value;
    }

    @Override
    public void setValue(T value) {
      this.value = value;
    }
  }

  /**
   * How to build the arguments of one function and where its outputs go; computed once at
   * registration.
   */
  private static final class CallPlan {
    final FunctionDefinition function;
    final List<Slot> slots;
    final List<Slot> returnSlots;

    /** Makes the instance a non-static method runs on; null for static methods. */
    final FunctionInstanceInjector instances;

    /**
     * The app's class loader: the thread context class loader while its code runs, as in Azure's
     * worker.
     */
    final ClassLoader appLoader;

    final boolean hasInputs;
    final boolean hasOutputs;

    /**
     * No bindings to read or write and no retries: the invocation can take the {@link DirectCall}
     * path.
     */
    final boolean direct;

    private CallPlan(
        FunctionDefinition function,
        List<Slot> slots,
        List<Slot> returnSlots,
        FunctionInstanceInjector instances) {
      this.function = function;
      this.slots = slots;
      this.returnSlots = returnSlots;
      this.instances = instances;
      this.appLoader = function.declaringClass().getClassLoader();
      this.hasInputs = slots.stream().anyMatch(s -> s.kind == SlotKind.INPUT);
      this.hasOutputs =
          !returnSlots.isEmpty() || slots.stream().anyMatch(s -> s.kind == SlotKind.OUTPUT);
      this.direct = !hasInputs && !hasOutputs && function.retry().maxRetryCount() == 0;
    }

    static CallPlan of(
        FunctionDefinition fn,
        Map<Class<? extends Annotation>, BindingProvider> bindings,
        FunctionInstances instances) {
      List<Slot> slots = new ArrayList<>();
      for (FunctionParameter p : fn.parameters()) {
        slots.add(slot(fn, p, bindings));
      }
      List<Slot> returnSlots = new ArrayList<>();
      for (Annotation a : fn.returnBindings()) {
        BindingProvider provider = bindings.get(a.annotationType());
        if (provider == null) {
          throw new IllegalStateException(
              "no binding provider handles @"
                  + a.annotationType().getSimpleName()
                  + " on the return value");
        }
        returnSlots.add(new Slot(SlotKind.OUTPUT, null, a, provider, null));
      }
      FunctionInstanceInjector injector =
          Modifier.isStatic(fn.method().getModifiers())
              ? null
              : instances.injectorFor(fn.declaringClass());
      return new CallPlan(fn, List.copyOf(slots), List.copyOf(returnSlots), injector);
    }

    private static Slot slot(
        FunctionDefinition fn,
        FunctionParameter p,
        Map<Class<? extends Annotation>, BindingProvider> bindings) {
      if (p.equals(fn.triggerParameter()))
        return new Slot(SlotKind.TRIGGER, p, fn.trigger(), null, null);
      if (p.rawType() == ExecutionContext.class)
        return new Slot(SlotKind.CONTEXT, p, null, null, null);
      for (Annotation a : p.annotations()) {
        BindingProvider provider = bindings.get(a.annotationType());
        if (provider != null) {
          SlotKind kind = p.rawType() == OutputBinding.class ? SlotKind.OUTPUT : SlotKind.INPUT;
          return new Slot(kind, p, a, provider, null);
        }
      }
      var bindingName = p.annotation(BindingName.class);
      if (bindingName.isPresent())
        return new Slot(SlotKind.BINDING_NAME, p, null, null, bindingName.get().value());
      String annotations =
          p.annotations().isEmpty()
              ? "no binding annotation"
              : "no provider for "
                  + p.annotations().stream()
                      .map(a -> "@" + a.annotationType().getSimpleName())
                      .toList();
      throw new IllegalStateException("parameter '" + p.name() + "' has " + annotations);
    }

    /** Binds the arguments and calls the user method; runs on a worker thread. */
    Call call(Invocation invocation, Object[] inputs, int retry) {
      Object[] args = new Object[slots.size()];
      for (int i = 0; i < args.length; i++) {
        Slot slot = slots.get(i);
        FunctionParameter p = slot.parameter;
        args[i] =
            switch (slot.kind) {
              case TRIGGER -> invocation.trigger().bind(p);
              case CONTEXT ->
                  new InvocationContext(
                      function.name(),
                      invocation.id(),
                      retry,
                      function.retry().maxRetryCount(),
                      invocation.metadata());
              case BINDING_NAME ->
                  Conversions.convert(
                      invocation.bindingData().get(slot.bindingName),
                      p.type(),
                      "binding data '" + slot.bindingName + "'");
              case INPUT ->
                  Conversions.convert(
                      inputs[i],
                      p.type(),
                      "@" + slot.annotation.annotationType().getSimpleName() + " input");
              case OUTPUT -> new Holder<>();
            };
      }
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(appLoader); // also while the class's static initialisers run
      try {
        Object target = instances == null ? null : instances.getInstance(function.declaringClass());
        return new Call(function.method().invoke(target, args), args);
      } catch (InvocationTargetException e) {
        throw new UserCodeFailure(e.getCause());
      } catch (Exception e) {
        throw new UserCodeFailure(e);
      } finally {
        thread.setContextClassLoader(previous);
      }
    }
  }
}
