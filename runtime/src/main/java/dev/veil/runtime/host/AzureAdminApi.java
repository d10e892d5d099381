package dev.veil.runtime.host;

import dev.veil.runtime.http.RequestBodies;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.HttpErrors;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerInput;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.security.CodeSource;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of the Azure host's admin API that Core Tools and scripts use, in the host's shape:
 * {@code GET /admin/functions/{name}} (the function's metadata), {@code POST
 * /admin/functions/{name}} with {@code {"input": "..."}} (runs a non-HTTP function once, answering
 * 202 as the host does), the Azure fields of every {@code /admin/functions} entry and of {@code
 * /admin/host/status}. Mounted behind {@link AdminRoutes}'s master-key check.
 */
public final class AzureAdminApi {
  private static final Logger LOG = LoggerFactory.getLogger(AzureAdminApi.class);

  /** The largest admin invocation body: a test payload, not a data upload. */
  private static final long MAX_BODY_BYTES = 1024 * 1024;

  private AzureAdminApi() {}

  /**
   * @param functions the {@code /admin/functions} entries
   * @param runnable a function the host runs, by name
   * @param triggers the running trigger of a function, by name (for its {@link
   *     TriggerHandle#manualInput})
   */
  public static void mount(
      Router router,
      Supplier<JsonArray> functions,
      Function<String, Optional<FunctionDefinition>> runnable,
      Function<String, TriggerHandle> triggers,
      Invoker invoker) {
    router
        .get("/admin/functions/:name")
        .handler(
            ctx -> {
              String name = ctx.pathParam("name");
              Optional<JsonObject> entry =
                  functions.get().stream()
                      .map(JsonObject.class::cast)
                      .filter(f -> name.equals(f.getString("name")))
                      .findFirst();
              if (entry.isEmpty()) {
                HttpErrors.send(ctx, 404, "no function named '" + name + "'", null);
                return;
              }
              ctx.response()
                  .putHeader("content-type", "application/json")
                  .end(entry.get().encode());
            });
    router
        .post("/admin/functions/:name")
        .handler(RequestBodies.reader(MAX_BODY_BYTES))
        .handler(ctx -> invoke(ctx, runnable, triggers, invoker));
  }

  private static void invoke(
      RoutingContext ctx,
      Function<String, Optional<FunctionDefinition>> runnable,
      Function<String, TriggerHandle> triggers,
      Invoker invoker) {
    String name = ctx.pathParam("name");
    Optional<FunctionDefinition> fn = runnable.apply(name);
    if (fn.isEmpty()) {
      HttpErrors.send(ctx, 404, "no running function named '" + name + "'", null);
      return;
    }
    if (fn.get().triggerKind().equals("HttpTrigger")) {
      HttpErrors.send(ctx, 400, "'" + name + "' is an HTTP function: call it at its URL", null);
      return;
    }
    Object input;
    try {
      byte[] raw = RequestBodies.of(ctx);
      JsonObject body = raw.length == 0 ? new JsonObject() : new JsonObject(Buffer.buffer(raw));
      input = body.getValue("input");
    } catch (DecodeException | ClassCastException e) {
      HttpErrors.send(
          ctx, 400, "the body must be a JSON object such as {\"input\": \"...\"}", null);
      return;
    }
    if (input instanceof JsonObject || input instanceof JsonArray) input = input.toString();
    TriggerHandle trigger = triggers.apply(name);
    Invocation invocation =
        Invocation.of(
            name, trigger != null ? trigger.manualInput(input) : TriggerInput.of(input), Map.of());
    invoker
        .invoke(invocation)
        .onComplete(
            ar -> {
              if (ar.failed())
                LOG.warn(
                    "admin invocation {} of {} failed: {}",
                    invocation.id(),
                    name,
                    ar.cause().getMessage());
            });
    ctx.response()
        .setStatusCode(202)
        .putHeader("content-type", "application/json")
        .end(new JsonObject().put("invocationId", invocation.id()).encode());
  }

  /**
   * Adds the Azure host's fields to a {@code /admin/functions} entry.
   *
   * @param method the function's method, null when it could not be read
   * @param baseUrl {@code http://host:port} the host answers on
   * @param route the HTTP route ({@code /api/orders/{id}}) for HTTP functions, else null
   */
  public static JsonObject functionEntry(
      JsonObject entry,
      String name,
      Method method,
      JsonArray bindings,
      boolean disabled,
      String baseUrl,
      String route) {
    return entry
        .put("href", baseUrl + "/admin/functions/" + name)
        .put(
            "invoke_url_template",
            route == null ? null : baseUrl + "/" + route.replaceFirst("^/", ""))
        .put("language", "java")
        .put(
            "config",
            new JsonObject()
                .put("scriptFile", method == null ? null : codeSource(method.getDeclaringClass()))
                .put(
                    "entryPoint",
                    method == null
                        ? null
                        : method.getDeclaringClass().getName() + "." + method.getName())
                .put("bindings", bindings))
        .put("test_data", null)
        .put("isDisabled", disabled)
        .put("isDirect", false)
        .put("isProxy", false);
  }

  /**
   * The jar (or class folder) file name a class comes from, as function.json's scriptFile names the
   * app jar.
   */
  private static String codeSource(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) return null;
    String path = source.getLocation().getPath().replaceFirst("/$", "");
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** Adds the Azure host's fields to {@code /admin/host/status}. */
  public static JsonObject hostStatus(JsonObject status, String hostId) {
    return status
        .put("id", hostId)
        .put("processUptime", ManagementFactory.getRuntimeMXBean().getUptime())
        .put("instanceId", hostId)
        .put("computerName", computerName())
        .put("functionAppContentEditingState", "NotAllowed");
  }

  private static String computerName() {
    String name = System.getenv("HOSTNAME"); // no name look-up here: this runs on an event loop
    return name == null || name.isBlank() ? "localhost" : name;
  }
}
