package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.TriggerContext;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import io.vertx.core.Future;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.lang.annotation.Annotation;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Serves {@code @HttpTrigger} functions on the host's router. */
public final class HttpTriggerProvider implements TriggerProvider {

  @Override
  public Class<? extends Annotation> annotation() {
    return HttpTrigger.class;
  }

  @Override
  public Future<TriggerHandle> start(TriggerContext context, FunctionDefinition function) {
    HttpTrigger trigger = function.trigger(HttpTrigger.class).orElseThrow();
    RouteTemplate template;
    try {
      template = RouteTemplate.parse(context.hostConfig().routePrefix(),
          trigger.route().isBlank() ? function.name() : trigger.route());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    List<HttpMethod> methods = trigger.methods().length == 0 ? List.of(HttpMethod.values()) : Arrays.asList(trigger.methods());
    HttpEndpoint endpoint = new HttpEndpoint(function, trigger.authLevel(), template, context.invoker(), context.keys());
    Route route = context.router().route(template.vertxPath());
    methods.forEach(m -> route.method(io.vertx.core.http.HttpMethod.valueOf(m.name())));
    // A security-policy handler runs before the body handler: unauthorized uploads are never buffered.
    route.handler((SecurityPolicyHandler) endpoint::authorize);
    // GET and HEAD bodies have no defined meaning (RFC 9110): GET/HEAD-only functions skip body buffering.
    if (!methods.stream().allMatch(m -> m == HttpMethod.GET || m == HttpMethod.HEAD)) {
      route.handler(BodyHandler.create(false).setBodyLimit(context.hostConfig().maxRequestBodyBytes()));
    }
    route.handler(endpoint::handle);
    Map<String, Object> description = Map.of("route", template.template(),
        "methods", methods.stream().map(Enum::name).toList(), "authLevel", trigger.authLevel().name());
    return Future.succeededFuture(new TriggerHandle() {
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
}
