package dev.veil.triggers.http;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.http.RequestBodies;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.HttpErrors;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.InvocationResult;
import dev.veil.runtime.spi.Invoker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP-triggered function: authorization, request → invocation, result or failure → response.
 */
final class HttpEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);

  private static final String ROUTE_VALUES = "veil.routeValues";

  private final FunctionDefinition function;
  private final AuthorizationLevel authLevel;
  private final RouteTemplate template;
  private final boolean bodyAsText;
  private final boolean readsBody;
  private final long bodyLimit;
  private final Invoker invoker;
  private final AuthKeys keys;
  private final AffinitySources affinity;
  private final Counter[] responsesByClass = new Counter[5]; // 1xx .. 5xx
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Promise<Void> stopped;

  /**
   * @param invoker the invoker routed for this function (it may run invocations on another cluster
   *     node)
   * @param readsBody false for functions that only take GET or HEAD, whose bodies have no defined
   *     meaning (RFC 9110): their bodies are not buffered
   */
  HttpEndpoint(
      FunctionDefinition function,
      AuthorizationLevel authLevel,
      RouteTemplate template,
      boolean bodyAsText,
      boolean readsBody,
      long bodyLimit,
      Invoker invoker,
      AuthKeys keys,
      AffinitySources affinity,
      MeterRegistry registry) {
    this.function = function;
    this.authLevel = authLevel;
    this.template = template;
    this.bodyAsText = bodyAsText;
    this.readsBody = readsBody;
    this.bodyLimit = bodyLimit;
    this.invoker = invoker;
    this.keys = keys;
    this.affinity = affinity;
    for (int i = 0; i < responsesByClass.length; i++) {
      responsesByClass[i] =
          Counter.builder("veil.http.responses")
              .description(
                  "HTTP answers of a function's route by status class, including errors the function returned")
              .tag("function", function.name())
              .tag("code", (i + 1) + "xx")
              .register(registry);
    }
  }

  /**
   * First handler on the router: enforces the route's constraints (404), then checks the key before
   * the body is read, so unauthorized callers cannot make the host buffer uploads.
   */
  void admit(RoutingContext ctx) {
    Map<String, String> routeValues = template.match(ctx.normalizedPath());
    if (routeValues == null) {
      ctx.fail(404);
      return;
    }
    if (!routeValues.isEmpty()) ctx.put(ROUTE_VALUES, routeValues);
    if (!refused(ctx.request())) ctx.next();
  }

  /** Last handler on the router, once {@link #admit} passed and the body (if any) is read. */
  void handle(RoutingContext ctx) {
    Map<String, String> routeValues = ctx.get(ROUTE_VALUES);
    invoke(ctx.request(), RequestBodies.of(ctx), routeValues == null ? Map.of() : routeValues);
  }

  /**
   * The whole request without the router, for a request on the function's exact path with one of
   * its methods: the same checks and answers as {@link #admit} and {@link #handle}.
   */
  void serve(HttpServerRequest request) {
    if (refused(request)) return;
    if (!readsBody) {
      invoke(request, RequestBodies.EMPTY, Map.of());
      return;
    }
    RequestBodies.read(request, bodyLimit)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                invoke(request, ar.result(), Map.of());
              } else if (ar.cause() instanceof RequestBodies.TooLarge) {
                bodyTooLarge(request);
              } else {
                HttpErrors.send(
                    request.response(),
                    400,
                    "the request body could not be read: " + ar.cause().getMessage(),
                    null);
                countResponse(request.response());
              }
            });
  }

  /** Answers 503 while stopping and 401 without a valid key; false when the request may go on. */
  private boolean refused(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (stopped != null) {
      HttpErrors.send(response, 503, "the host is shutting down", null);
    } else if (authLevel
        == AuthorizationLevel.ANONYMOUS) { // no key to look for: skips parsing the query string
      return false;
    } else {
      AuthKeys.Verdict verdict = keys.check(authLevel, function.name(), request);
      if (verdict.allowed()) return false;
      if (verdict.challenge() != null) response.putHeader("WWW-Authenticate", verdict.challenge());
      HttpErrors.send(
          response,
          verdict.status(),
          verdict.message() != null
              ? verdict.message()
              : "function '"
                  + function.name()
                  + "' needs a valid "
                  + (authLevel == AuthorizationLevel.ADMIN ? "master" : "function")
                  + " key (x-functions-key header or code query parameter)",
          null);
    }
    countResponse(response);
    return true;
  }

  private void countResponse(HttpServerResponse response) {
    int statusClass = response.getStatusCode() / 100;
    if (statusClass >= 1 && statusClass <= 5) responsesByClass[statusClass - 1].increment();
  }

  /** The body was over the limit: a 400 naming the limit and, when declared, the size. */
  void bodyTooLarge(HttpServerRequest request) {
    String declared = request.getHeader("content-length");
    // Closing the connection stops a client from sending the rest of a body nobody reads.
    HttpErrors.sendAndClose(
        request,
        400,
        "the request body"
            + (declared == null ? "" : " of " + declared + " bytes")
            + " is larger than this host's limit of "
            + bodyLimit
            + " bytes (veil.http.maxRequestBodyBytes in host.json)");
    countResponse(request.response());
  }

  private void invoke(HttpServerRequest request, byte[] body, Map<String, String> routeValues) {
    HttpServerResponse response = request.response();
    Map<String, String> query;
    try {
      query = queryOf(request);
    } catch (IllegalArgumentException e) {
      HttpErrors.send(response, 400, "the query string is malformed: " + e.getMessage(), null);
      countResponse(response);
      return;
    }
    Map<String, Object> bindingData = Map.of();
    if (!query.isEmpty() || !routeValues.isEmpty()) {
      Map<String, Object> merged = new HashMap<>(query);
      merged.remove(HttpErrors.KEY_QUERY_PARAM);
      merged.putAll(routeValues);
      bindingData = merged;
    }
    Invocation invocation =
        new Invocation(
            function.name(),
            Invocation.newId(),
            new HttpInput(
                request.method().name(),
                request::absoluteURI,
                request.headers(),
                query,
                routeValues,
                body,
                bodyAsText,
                affinity),
            bindingData,
            traceContext(request));
    pending.incrementAndGet();
    invoker
        .invoke(invocation)
        .onComplete(
            ar -> {
              try {
                respond(request, invocation.id(), ar);
                countResponse(response);
              } finally {
                if (pending.decrementAndGet() == 0 && stopped != null) stopped.tryComplete();
              }
            });
  }

  /** The query parameters, first value of each; decoding errors throw IllegalArgumentException. */
  private static Map<String, String> queryOf(HttpServerRequest request) {
    if (request.query() == null) return Map.of();
    Map<String, String> query = new HashMap<>();
    new QueryStringDecoder(request.uri())
        .parameters()
        .forEach(
            (name, values) -> {
              if (!values.isEmpty()) query.put(name, values.get(0));
            });
    return Collections.unmodifiableMap(query);
  }

  /**
   * Stops taking requests (503) and completes when the requests already taken have been answered.
   */
  Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    stopped = done;
    if (pending.get() == 0) done.tryComplete();
    return done.future();
  }

  private void respond(
      HttpServerRequest request, String invocationId, AsyncResult<InvocationResult> ar) {
    if (ar.failed()) {
      fail(request.response(), invocationId, ar.cause());
      return;
    }
    try {
      HttpAnswer.of(ar.result().returnValue()).write(request.response());
    } catch (RuntimeException e) {
      LOG.warn(
          "function={} invocation={} returned a value that cannot be sent: {}",
          function.name(),
          invocationId,
          e.toString());
      HttpErrors.send(
          request.response(), 500, "the function's result could not be serialized", invocationId);
    }
  }

  private void fail(HttpServerResponse response, String invocationId, Throwable cause) {
    if (!(cause instanceof InvocationFailure failure)) {
      LOG.error(
          "function={} invocation={} failed outside the invoker",
          function.name(),
          invocationId,
          cause);
      HttpErrors.send(response, 500, "internal error", invocationId);
      return;
    }
    switch (failure.kind()) {
      case BAD_INPUT -> HttpErrors.send(response, 400, failure.getMessage(), invocationId);
      case OVER_CAPACITY -> {
        response.putHeader("retry-after", "1");
        HttpErrors.send(response, 429, failure.getMessage(), invocationId);
      }
      case SHUTTING_DOWN -> HttpErrors.send(response, 503, failure.getMessage(), invocationId);
      case TIMEOUT ->
          HttpErrors.send(response, 504, "the function did not finish in time", invocationId);
      case NOT_FOUND -> HttpErrors.send(response, 404, failure.getMessage(), invocationId);
      case FUNCTION_ERROR ->
          HttpErrors.send(
              response,
              500,
              "the function failed; see the host log for invocation " + invocationId,
              invocationId);
    }
  }

  /** The caller's W3C trace context headers, for {@code ExecutionContext.getTraceContext()}. */
  private static Map<String, String> traceContext(HttpServerRequest request) {
    String parent = request.getHeader("traceparent");
    if (parent == null) return Map.of();
    String state = request.getHeader("tracestate");
    return state == null
        ? Map.of("traceparent", parent)
        : Map.of("traceparent", parent, "tracestate", state);
  }
}
