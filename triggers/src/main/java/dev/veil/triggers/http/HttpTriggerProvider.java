package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.http.RequestBodies;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.HostConfigurationException;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.RunsWhereCalled;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import dev.veil.runtime.spi.Types;
import io.vertx.core.Future;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Serves {@code @HttpTrigger} functions on the host's router. */
public final class HttpTriggerProvider implements TriggerProvider {
  /** Router order of templated routes: after every route mounted without an explicit order. */
  private static final int TEMPLATED_ROUTES_ORDER = 1 << 24;

  private final AtomicInteger templatedRoutes = new AtomicInteger();
  private AllowedMethods allowedMethods; // created with the first function, on the host's router
  private HttpThrottle
      throttle; // host.json's request limits, shared by all HTTP functions of the host

  @Override
  public Class<? extends Annotation> annotation() {
    return HttpTrigger.class;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function) {
    HttpTrigger trigger = function.trigger(HttpTrigger.class).orElseThrow();
    RouteTemplate template;
    try {
      template =
          RouteTemplate.parse(
              context.hostConfig().routePrefix(),
              trigger.route().isBlank() ? function.name() : trigger.route());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    boolean bodyAsText;
    AffinitySources affinity;
    try {
      bodyAsText = bodyAsText(function, trigger.dataType());
      affinity = AffinitySources.of(function, context.hostConfig());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    List<HttpMethod> methods =
        trigger.methods().length == 0
            ? List.of(HttpMethod.values())
            : Arrays.asList(trigger.methods());
    long bodyLimit = context.hostConfig().maxRequestBodyBytes();
    try {
      if (throttle == null) throttle = HttpThrottle.of(context.hostConfig());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new HostConfigurationException(e.getMessage()));
    }
    // GET and HEAD bodies have no defined meaning (RFC 9110): GET/HEAD-only functions skip body
    // buffering.
    boolean readsBody =
        !methods.stream().allMatch(m -> m == HttpMethod.GET || m == HttpMethod.HEAD);
    Invoker invoker =
        function.method().isAnnotationPresent(RunsWhereCalled.class)
            ? context.invoker()
            : context.invoker().routed(function.name(), HttpAnswer.CODEC);
    HttpEndpoint endpoint =
        new HttpEndpoint(
            function,
            trigger.authLevel(),
            template,
            bodyAsText,
            readsBody,
            bodyLimit,
            throttle.around(invoker),
            context.keys(),
            affinity,
            context.meterRegistry());
    Set<io.vertx.core.http.HttpMethod> vertxMethods =
        methods.stream()
            .map(m -> io.vertx.core.http.HttpMethod.valueOf(m.name()))
            .collect(Collectors.toSet());
    Route route;
    if (template.hasParameters()) {
      // Literal routes win over templated ones whatever the order functions start in, as in Azure
      // Functions.
      route =
          context
              .router()
              .routeWithRegex(template.pathRegex())
              .order(TEMPLATED_ROUTES_ORDER + templatedRoutes.getAndIncrement());
    } else {
      route = context.router().route(template.template());
      context.serveExactPath(template.template(), vertxMethods, endpoint::serve);
    }
    vertxMethods.forEach(route::method);
    if (allowedMethods == null) allowedMethods = new AllowedMethods(context.router());
    allowedMethods.add(
        template.hasParameters() ? template.pathRegex() : Pattern.quote(template.template()),
        vertxMethods);
    // A security-policy handler runs before the body handler: unauthorized uploads are never
    // buffered.
    route.handler((SecurityPolicyHandler) endpoint::admit);
    if (readsBody) route.handler(RequestBodies.reader(bodyLimit));
    route.handler(endpoint::handle);
    route.failureHandler(
        ctx -> {
          if (ctx.statusCode() == 413) endpoint.bodyTooLarge(ctx.request());
          else ctx.next();
        });
    Map<String, Object> description =
        Map.of(
            "route",
            template.template(),
            "methods",
            methods.stream().map(Enum::name).toList(),
            "authLevel",
            trigger.authLevel().name());
    return Future.succeededFuture(
        new TriggerHandle() {
          @Override
          public Future<Void> stop() {
            return endpoint.stop();
          }

          @Override
          public Map<String, Object> describe() {
            return description;
          }
        });
  }

  /**
   * Whether {@code dataType} asks for the body as text. "binary" hands over the bytes untouched, so
   * it needs a byte[] body; "string" decodes the body with the request's charset before converting
   * it; "" converts the bytes by the body's type.
   */
  private static boolean bodyAsText(FunctionDefinition function, String dataType) {
    switch (dataType) {
      case "", "string" -> {
        return dataType.equals("string");
      }
      case "binary" -> {
        FunctionParameter p = function.triggerParameter();
        Type body = p.rawType() == HttpRequestMessage.class ? p.typeArgument(0) : p.type();
        if (Types.raw(body) == Optional.class) body = Types.firstArgument(body);
        if (body != byte[].class) {
          throw new IllegalArgumentException(
              "dataType \"binary\" delivers the request body as bytes; declare it as "
                  + "byte[] (e.g. HttpRequestMessage<Optional<byte[]>>), not "
                  + body.getTypeName());
        }
        return false;
      }
      default ->
          throw new IllegalArgumentException(
              "unsupported dataType \"" + dataType + "\" (use \"binary\" or \"string\")");
    }
  }
}
