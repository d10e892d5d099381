package dev.veil.runtime;

import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.cluster.ClusterMembership;
import dev.veil.runtime.cluster.ClusterSettings;
import dev.veil.runtime.cluster.EventBusBroadcasts;
import dev.veil.runtime.cluster.HazelcastLeases;
import dev.veil.runtime.cluster.MapLeases;
import dev.veil.runtime.host.AdminRoutes;
import dev.veil.runtime.host.AppClassPath;
import dev.veil.runtime.host.AzureAdminApi;
import dev.veil.runtime.host.BindingDescriptions;
import dev.veil.runtime.host.ClusterReport;
import dev.veil.runtime.host.Configuration;
import dev.veil.runtime.host.EdgeSettings;
import dev.veil.runtime.host.ExactRoutes;
import dev.veil.runtime.host.FunctionInvoker;
import dev.veil.runtime.host.FunctionScanner;
import dev.veil.runtime.host.HostFunctionScope;
import dev.veil.runtime.host.HostServices;
import dev.veil.runtime.host.HttpEdge;
import dev.veil.runtime.host.HttpHostSettings;
import dev.veil.runtime.host.IgnoredSettings;
import dev.veil.runtime.host.StartupGuide;
import dev.veil.runtime.host.StartupTimeline;
import dev.veil.runtime.host.UnservedFunction;
import dev.veil.runtime.host.auth.AccessKeys;
import dev.veil.runtime.host.auth.HostAuth;
import dev.veil.runtime.host.auth.HostSigningKey;
import dev.veil.runtime.host.auth.KeyBroadcasts;
import dev.veil.runtime.host.auth.KeyRoutes;
import dev.veil.runtime.host.auth.TokenRoutes;
import dev.veil.runtime.host.auth.TokenSettings;
import dev.veil.runtime.host.tls.HostListeners;
import dev.veil.runtime.host.tls.TlsAdminRoutes;
import dev.veil.runtime.host.tls.TlsSettings;
import dev.veil.runtime.logging.AzureLogLevels;
import dev.veil.runtime.routing.ClusteredInvoker;
import dev.veil.runtime.spi.BindingProvider;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.HostConfigurationException;
import dev.veil.runtime.spi.HostExtension;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.HttpErrors;
import dev.veil.runtime.spi.TriggerHandle;
import dev.veil.runtime.spi.TriggerProvider;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Veil host: discovered functions, their triggers, the HTTP server with
 * admin/health/metrics endpoints. Also the entry point for tests in any module:
 *
 * <pre>{@code
 * VeilHost host = VeilHost.start(new HostOptions().port(0).functionClass(MyFunctions.class)
 *     .dataDirectory(tmp)).toCompletionStage().toCompletableFuture().get();
 * URI uri = URI.create("http://127.0.0.1:" + host.port() + "/api/hello");
 * ...
 * host.close().toCompletionStage().toCompletableFuture().get();
 * }</pre>
 */
public final class VeilHost {
  private static final Logger LOG = LoggerFactory.getLogger(VeilHost.class);

  /** Classpath resource listing the packages to discover functions in when none are given. */
  public static final String SCAN_PACKAGES_RESOURCE = "META-INF/veil/scan-packages";

  private final Vertx vertx;
  private final Configuration config;
  private final AccessKeys keys;
  private final FunctionInvoker invoker;
  private final HostFunctionScope scope;
  private final List<FunctionDefinition> functions;
  private final Map<String, String> disabled = new LinkedHashMap<>();
  private final Map<String, TriggerHandle> handles = new ConcurrentHashMap<>();
  private final List<BindingProvider> bindingProviders;
  private List<HostExtension> extensions = List.of();
  private List<UnservedFunction> unserved = List.of();
  private String bindHost = "127.0.0.1";
  private final Instant startedAt = Instant.now();
  private final ClusterSettings.Started cluster;
  private ClusterMembership membership;
  private ClusterReport clusterReport;
  private ClusteredInvoker clusteredInvoker;
  private EventBusBroadcasts broadcasts;
  private PrometheusMeterRegistry
      registry; // also in Micrometer's global registry while running, for apps' own meters
  private HttpServer server;
  private HostListeners listeners;
  private HostAuth auth;
  private volatile boolean ready;
  private final Promise<Void> readiness = Promise.promise();
  private StartupTimeline timeline = new StartupTimeline();
  private volatile boolean draining;
  private Future<Void> closing;

  private VeilHost(
      Vertx vertx,
      Configuration config,
      AccessKeys keys,
      FunctionInvoker invoker,
      HostFunctionScope scope,
      List<FunctionDefinition> functions,
      List<BindingProvider> bindingProviders,
      ClusterSettings.Started cluster) {
    this.vertx = vertx;
    this.config = config;
    this.keys = keys;
    this.invoker = invoker;
    this.scope = scope;
    this.functions = functions;
    this.bindingProviders = bindingProviders;
    this.cluster = cluster;
  }

  /**
   * Reads the configuration, discovers functions, starts their triggers and the HTTP server. The
   * future fails with a message naming the problem when the configuration or a function is invalid.
   */
  public static Future<VeilHost> start(HostOptions options) {
    StartupTimeline timeline = new StartupTimeline();
    timeline.mark("host start");
    Prepared prepared;
    ClusterSettings clusterSettings;
    List<HostExtension> extensions;
    try {
      prepared = prepare(options);
      extensions =
          ServiceLoader.load(HostExtension.class).stream()
              .map(ServiceLoader.Provider::get)
              .toList();
      clusterSettings =
          ClusterSettings.from(
              prepared.config.hostConfig(),
              prepared.config.settings(),
              options.clustered(),
              options.bindHost(),
              options.configDirectory());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    timeline.mark("configured and functions found");
    VertxOptions vertxOptions =
        new VertxOptions().setPreferNativeTransport(prepared.config.hostConfig().nativeTransport());
    Future<ClusterSettings.Started> started =
        clusterSettings != null
            ? clusterSettings.start(vertxOptions)
            : Future.succeededFuture(new ClusterSettings.Started(Vertx.vertx(vertxOptions), null));
    return started.compose(
        cluster -> {
          Vertx v = cluster.vertx();
          PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
          // An app's own code may register meters on Micrometer's global registry (as it would on
          // Azure with an
          // exporter); Veil's own functions (key cache, accelerator pool) use this host's registry
          // through its scope.
          Metrics.addRegistry(registry);
          HostFunctionScope scope = new HostFunctionScope(v, prepared.config.settings(), registry);
          FunctionInvoker invoker =
              new FunctionInvoker(
                  v, prepared.config.hostConfig(), prepared.config.settings(), registry, scope);
          VeilHost host =
              new VeilHost(
                  v,
                  prepared.config,
                  prepared.keys,
                  invoker,
                  scope,
                  prepared.functions,
                  List.copyOf(prepared.bindings.values()),
                  cluster.manager() != null ? cluster : null);
          host.extensions = extensions;
          host.timeline = timeline;
          timeline.mark("vert.x");
          int port =
              options.port() >= 0
                  ? options.port()
                  : prepared.config.localHttpPort() != null
                      ? prepared.config.localHttpPort()
                      : 7071;
          return host.boot(prepared, registry, clusterSettings, options.bindHost(), port)
              .recover(
                  err -> {
                    Metrics.removeRegistry(registry);
                    return scope
                        .close()
                        .eventually(v::close)
                        .transform(ignored -> Future.<VeilHost>failedFuture(err));
                  });
        });
  }

  /**
   * Completes when the host is ready ({@code /health/ready} answers 200): every trigger is live.
   * {@link #start} completes earlier, once the listener is open and every trigger has started.
   */
  public Future<Void> whenReady() {
    return readiness.future();
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return server.actualPort();
  }

  /** The HTTP(S) listeners: scheme, plain port beside HTTPS, certificate reload. */
  public HostListeners listeners() {
    return listeners;
  }

  /** The access keys (for tests and tooling; never logged). */
  public AccessKeys keys() {
    return keys;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** What this host hands the function instances it creates (tests, benchmarks). */
  public HostScope scope() {
    return scope;
  }

  /** Every discovered function, including disabled ones. */
  public List<FunctionDefinition> functions() {
    return functions;
  }

  /**
   * Why each disabled function could not start, by function name (including those that could not be
   * defined).
   */
  public Map<String, String> disabledFunctions() {
    Map<String, String> all = new LinkedHashMap<>(disabled);
    unserved.forEach(u -> all.putIfAbsent(u.name(), u.reason()));
    return Map.copyOf(all);
  }

  private FunctionDefinition fnNamed(String name) {
    return functions.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Graceful shutdown: triggers stop intake (HTTP routes answer 503), in-flight invocations finish
   * (bounded by host.json {@code veil.shutdownTimeout}), then the server and Vert.x close.
   */
  public synchronized Future<Void> close() {
    if (closing != null) return closing;
    ready = false;
    draining = true;
    Duration timeout = config.hostConfig().shutdownTimeout();
    long deadline = System.nanoTime() + timeout.toNanos();
    LOG.info("shutting down: waiting up to {} for in-flight invocations", timeout);
    List<Future<Void>> stops = new ArrayList<>();
    handles.values().forEach(h -> stops.add(h.stop()));
    closing =
        bounded(Future.join(stops).<Void>mapEmpty(), timeout)
            .eventually(
                () ->
                    invoker.drain(
                        Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()))))
            .eventually(() -> Future.join(extensions.stream().map(HostExtension::stop).toList()))
            .eventually(scope::close)
            .eventually(
                () -> Future.join(bindingProviders.stream().map(BindingProvider::stop).toList()))
            .eventually(
                () ->
                    membership == null
                        ? Future.succeededFuture()
                        : Future.join(
                            clusteredInvoker.stop(),
                            clusterReport.stop(),
                            broadcasts.stop(),
                            membership.stop()))
            .eventually(() -> listeners != null ? listeners.close() : Future.succeededFuture())
            .andThen(
                ar -> {
                  if (auth != null) auth.stop();
                })
            .eventually(vertx::close)
            .transform(
                ar -> {
                  invoker.close();
                  if (registry != null) Metrics.removeRegistry(registry);
                  LOG.info("host stopped");
                  return ar.succeeded()
                      ? Future.<Void>succeededFuture()
                      : Future.<Void>failedFuture(ar.cause());
                });
    return closing;
  }

  private record Prepared(
      Configuration config,
      AccessKeys keys,
      List<FunctionDefinition> functions,
      Map<Class<? extends Annotation>, TriggerProvider> triggers,
      Map<Class<? extends Annotation>, BindingProvider> bindings,
      Path dataDirectory,
      HostListeners listeners,
      HostAuth auth,
      List<UnservedFunction> unserved,
      HttpHostSettings http) {}

  // Blocking preparation (files, class scanning) on the caller's thread, before Vert.x exists.
  private static Prepared prepare(HostOptions options) throws Exception {
    Configuration config =
        Configuration.load(
            options.configDirectory(), options.hostJson(), options.settings(), System.getenv());
    ClassLoader loader = classLoader(options.scanPaths());
    Map<Class<? extends Annotation>, TriggerProvider> triggers =
        byAnnotation(
            ServiceLoader.load(TriggerProvider.class, loader), TriggerProvider::annotation);
    Map<Class<? extends Annotation>, BindingProvider> bindings =
        byAnnotation(
            ServiceLoader.load(BindingProvider.class, loader), BindingProvider::annotation);
    FunctionScanner scanner = new FunctionScanner(loader, triggers.keySet(), bindings.keySet());
    List<FunctionDefinition> functions;
    if (!options.functionClasses().isEmpty()) {
      functions = scanner.definitions(options.functionClasses());
    } else {
      List<String> packages =
          options.scanPackages().isEmpty() ? declaredScanPackages(loader) : options.scanPackages();
      // Given an app, the host serves that app alone unless built-in functions (or --scan packages)
      // are asked for.
      boolean builtins =
          options.scanPaths().isEmpty()
              || !options.scanPackages().isEmpty()
              || options.builtinFunctions()
              || config
                  .hostConfig()
                  .json()
                  .getJsonObject("veil", new JsonObject())
                  .getBoolean("builtinFunctions", false);
      List<Class<?>> classes =
          new ArrayList<>(
              builtins ? scanner.candidates(FunctionScanner.classPath(), packages) : List.of());
      classes.addAll(scanner.candidates(options.scanPaths(), List.of()));
      functions = scanner.definitions(classes);
    }
    Path dataDirectory = options.dataDirectory();
    Files.createDirectories(dataDirectory);
    AccessKeys keys =
        AccessKeys.load(
            dataDirectory.resolve("keys.json"),
            config.settings(),
            functions.stream().map(FunctionDefinition::name).toList());
    HostListeners listeners =
        HostListeners.prepare(
            TlsSettings.from(
                config.hostConfig().json(), config.settings(), options.configDirectory()));
    TokenSettings tokens =
        TokenSettings.from(config.hostConfig().json(), options.configDirectory());
    HostAuth auth =
        new HostAuth(keys, tokens, tokens != null ? HostSigningKey.load(dataDirectory) : null);
    return new Prepared(
        config,
        keys,
        functions,
        triggers,
        bindings,
        dataDirectory,
        listeners,
        auth,
        scanner.unserved(),
        azureSettings(config, options.configDirectory()));
  }

  /** Applies the Azure host's logging and HTTP settings and names the settings Veil ignores. */
  private static HttpHostSettings azureSettings(Configuration config, Path configDirectory) {
    JsonObject hostJson = config.hostConfig().json();
    JsonObject local = Configuration.localSettings(configDirectory);
    Object logging = hostJson.getValue("logging");
    if (logging instanceof JsonObject l && l.getValue("logLevel") instanceof JsonObject levels)
      AzureLogLevels.apply(levels);
    Object host = local.getValue("Host");
    HttpHostSettings http =
        HttpHostSettings.of(
            config.hostConfig(), host instanceof JsonObject h ? h : new JsonObject());
    List<String> ignored = IgnoredSettings.of(hostJson, local);
    if (!ignored.isEmpty())
      LOG.warn("settings Veil does not support, ignored: {}", String.join(", ", ignored));
    return http;
  }

  private Future<VeilHost> boot(
      Prepared prepared,
      PrometheusMeterRegistry registry,
      ClusterSettings clusterSettings,
      String bindHost,
      int port) {
    this.registry = registry;
    this.unserved = prepared.unserved;
    this.bindHost = bindHost;
    HttpEdge edge = new HttpEdge(vertx, EdgeSettings.from(prepared.config.hostConfig()), registry);
    Router router = Router.router(vertx);
    AdminRoutes.mount(
        router,
        keys,
        registry,
        this::describeFunctions,
        () -> AzureAdminApi.hostStatus(status(), membership != null ? membership.nodeId() : "veil"),
        () -> ready && !draining);
    AzureAdminApi.mount(
        router,
        this::describeFunctions,
        name ->
            handles.containsKey(name)
                ? functions.stream().filter(f -> f.name().equals(name)).findFirst()
                : Optional.empty(),
        handles::get,
        invoker);
    listeners = prepared.listeners;
    TlsAdminRoutes.mount(router, listeners);
    KeyRoutes.mount(router, keys);
    auth = prepared.auth;
    TokenRoutes.mount(router, auth);
    if (cluster != null) {
      membership =
          new ClusterMembership(
              vertx,
              clusterSettings,
              cluster.manager(),
              invoker::inFlight,
              prepared.config.hostConfig().workerPoolSize());
      clusterReport = new ClusterReport(vertx, membership, invoker::inFlight, scope.nodeReports());
      clusterReport.mount(router);
      clusteredInvoker =
          new ClusteredInvoker(
              vertx,
              invoker,
              membership,
              prepared
                  .config
                  .hostConfig()
                  .functionTimeout()
                  .map(t -> t.plusSeconds(30))
                  .orElse(Duration.ofMinutes(10)));
      broadcasts = new EventBusBroadcasts(vertx, scope.broadcasts()).start();
      KeyBroadcasts.connect(keys, scope.broadcasts());
    }
    installErrorHandlers(router);
    ExactRoutes exactRoutes = new ExactRoutes(router.getRoutes());
    HostServices services =
        new HostServices(
            vertx,
            prepared.config.settings(),
            prepared.config.hostConfig(),
            registry,
            prepared.dataDirectory,
            clusteredInvoker != null ? clusteredInvoker : invoker,
            router,
            exactRoutes,
            auth,
            membership != null
                ? new HazelcastLeases(
                    vertx, cluster.manager().getHazelcastInstance(), membership.nodeId())
                : new MapLeases(vertx, "local"),
            scope,
            invoker::addListener);

    List<Future<Void>> bindingStarts = new ArrayList<>();
    prepared.bindings.values().forEach(b -> bindingStarts.add(b.start(services)));
    // The listener opens as soon as the HTTP functions are routed: extensions and the other
    // triggers (a Kafka consumer joining its group, a blob scanner) start beside it, and readiness
    // waits for all of them.
    List<Future<Void>> besideListener = new ArrayList<>();
    return Future.all(bindingStarts)
        .compose(v -> auth.start(vertx))
        .compose(
            v -> {
              timeline.mark("bindings");
              extensions.forEach(
                  e -> besideListener.add(e.start(services, scope, listeners.secure())));
              return startTriggers(prepared, services, true);
            })
        .compose(
            v -> {
              timeline.mark("HTTP triggers");
              besideListener.add(startTriggers(prepared, services, false));
              return listeners
                  .listen(
                      vertx,
                      edge.configure(new HttpServerOptions()),
                      options ->
                          edge.install(
                              vertx.createHttpServer(options),
                              request -> {
                                if (prepared.http.active() && prepared.http.handle(request))
                                  return; // custom headers, CORS
                                if (!exactRoutes.dispatch(request)) router.handle(request);
                              }),
                      port,
                      bindHost)
                  .recover(
                      err -> Future.failedFuture(StartupGuide.listenFailure(err, bindHost, port)));
            })
        .compose(
            s -> {
              timeline.mark("listening");
              return Future.all(besideListener).map(s);
            })
        .compose(
            s ->
                membership == null
                    ? Future.succeededFuture(s)
                    : Future.all(clusteredInvoker.start(), clusterReport.start())
                        .compose(v -> membership.start(List.copyOf(handles.keySet())))
                        .map(s))
        .map(
            s -> {
              server = s;
              timeline.mark("all triggers started");
              // Ready once every trigger is live (a Kafka consumer in its group), which may be
              // later than its start.
              Future.all(handles.values().stream().map(TriggerHandle::live).toList())
                  .onComplete(
                      live -> {
                        if (live.failed()) {
                          LOG.error(
                              "a trigger did not come live: the host stays not ready",
                              live.cause());
                          return;
                        }
                        ready = true;
                        readiness.tryComplete();
                        timeline.mark("ready");
                        LOG.info("start-up: {}", timeline);
                      });
              LOG.info(
                  "Veil host listening on {}://{}:{} with {} function(s){} ({} transport)",
                  listeners.secure() ? "https" : "http",
                  bindHost,
                  s.actualPort(),
                  handles.size(),
                  disabled.size() + unserved.size() == 0
                      ? ""
                      : ", " + (disabled.size() + unserved.size()) + " disabled",
                  vertx.isNativeTransportEnabled() ? "native" : "NIO");
              if (prepared.config.hostConfig().nativeTransport()
                  && !vertx.isNativeTransportEnabled()) {
                LOG.warn(
                    "no native transport on this platform ({}); Vert.x uses NIO",
                    vertx.unavailableNativeTransportCause().toString());
              }
              handles.forEach((name, h) -> LOG.info("  {} {}", name, h.describe()));
              disabled.forEach(
                  (name, why) ->
                      LOG.warn(
                          "  {} disabled: {}; bindings: {}",
                          name,
                          why,
                          BindingDescriptions.summary(
                              BindingDescriptions.of(fnNamed(name).method()))));
              unserved.forEach(
                  u ->
                      LOG.warn(
                          "  {} disabled: {} ({}); bindings: {}",
                          u.name(),
                          u.reason(),
                          u.location(),
                          BindingDescriptions.summary(u.bindings())));
              StartupGuide.lines(
                      prepared.dataDirectory.resolve("keys.json"),
                      prepared.config.settings(),
                      listeners.secure() ? "https" : "http",
                      bindHost,
                      s.actualPort(),
                      handles)
                  .forEach(LOG::info);
              // JVM meters read management beans (slow to load); binding them after start keeps
              // them off the cold-start path.
              vertx.executeBlocking(
                  () -> {
                    new JvmMemoryMetrics().bindTo(registry);
                    new JvmThreadMetrics().bindTo(registry);
                    new ProcessorMetrics().bindTo(registry);
                    return null;
                  });
              return this;
            });
  }

  /** Starts the triggers of the HTTP functions ({@code http}) or of all the others. */
  private Future<Void> startTriggers(Prepared prepared, HostServices services, boolean http) {
    List<Future<Void>> starts = new ArrayList<>();
    for (FunctionDefinition fn : functions) {
      if ((fn.trigger() instanceof HttpTrigger) != http) continue;
      TriggerProvider provider = prepared.triggers.get(fn.trigger().annotationType());
      if (provider == null) {
        disabled.put(
            fn.name(), "no trigger provider for @" + fn.triggerKind() + " on the classpath");
        continue;
      }
      try {
        invoker.register(fn, prepared.bindings);
      } catch (IllegalStateException e) {
        disabled.put(fn.name(), e.getMessage());
        continue;
      }
      starts.add(
          provider
              .start(services, fn)
              .map(
                  handle -> {
                    handles.put(fn.name(), handle);
                    return (Void) null;
                  })
              .recover(
                  err -> {
                    String reason =
                        "its " + fn.triggerKind() + " did not start: " + err.getMessage();
                    if (err instanceof HostConfigurationException) {
                      return Future.failedFuture(
                          new IllegalStateException(
                              "function '" + fn.name() + "': " + reason, err));
                    }
                    // One function's fault never stops the app (as on Azure): it is listed as
                    // disabled with the reason, in the log and the admin API.
                    LOG.error("function '{}' is disabled: {}", fn.name(), reason);
                    disabled.put(fn.name(), reason);
                    return Future.succeededFuture();
                  }));
    }
    return Future.all(starts).mapEmpty();
  }

  private static void installErrorHandlers(Router router) {
    router.errorHandler(
        404,
        ctx -> HttpErrors.send(ctx, 404, "nothing is served at " + ctx.request().path(), null));
    router.errorHandler(
        405,
        ctx ->
            HttpErrors.send(
                ctx,
                405,
                "method " + ctx.request().method() + " is not allowed at " + ctx.request().path(),
                null));
    // A body over the limit is bad input (400, as Azure users expect); HTTP triggers also name the
    // size and limit.
    router.errorHandler(
        413,
        ctx ->
            HttpErrors.sendAndClose(
                ctx.request(),
                400,
                "the request body is larger than this host accepts (veil.http.maxRequestBodyBytes)"));
    router.errorHandler(400, ctx -> HttpErrors.send(ctx, 400, "the request is malformed", null));
    router.errorHandler(
        500,
        ctx -> {
          LOG.error(
              "unhandled error on {} {}",
              ctx.request().method(),
              ctx.request().path(),
              ctx.failure());
          HttpErrors.send(ctx, 500, "internal error", null);
        });
  }

  private JsonArray describeFunctions() {
    JsonArray out = new JsonArray();
    for (FunctionDefinition fn : functions) {
      JsonObject entry =
          new JsonObject()
              .put("name", fn.name())
              .put("trigger", fn.triggerKind())
              .put("class", fn.declaringClass().getName())
              .put("method", fn.method().getName());
      TriggerHandle handle = handles.get(fn.name());
      JsonArray bindings = BindingDescriptions.of(fn.method());
      if (handle != null) {
        entry.put("status", "running");
        handle.describe().forEach(entry::put);
      } else {
        entry
            .put("status", "disabled")
            .put("reason", disabled.getOrDefault(fn.name(), "not started"))
            .put("bindings", bindings);
      }
      Object route =
          handle != null && fn.triggerKind().equals("HttpTrigger")
              ? handle.describe().get("route")
              : null;
      out.add(
          AzureAdminApi.functionEntry(
              entry,
              fn.name(),
              fn.method(),
              bindings,
              handle == null,
              baseUrl(),
              route == null ? null : route.toString()));
    }
    for (UnservedFunction u : unserved) {
      JsonObject entry =
          new JsonObject()
              .put("name", u.name())
              .put("location", u.location())
              .put("status", "disabled")
              .put("reason", u.reason())
              .put("bindings", u.bindings());
      out.add(
          AzureAdminApi.functionEntry(entry, u.name(), null, u.bindings(), true, baseUrl(), null));
    }
    return out;
  }

  /** Where this host answers, for the admin API's links. */
  private String baseUrl() {
    String host = bindHost.equals("0.0.0.0") || bindHost.equals("::") ? "localhost" : bindHost;
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  private JsonObject status() {
    String version = VeilHost.class.getPackage().getImplementationVersion();
    return new JsonObject()
        .put("state", draining ? "Draining" : ready ? "Running" : "Starting")
        .put("version", version != null ? version : "dev")
        .put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds())
        .put("functions", handles.size())
        .put("disabledFunctions", disabled.size() + unserved.size())
        .put("inFlightInvocations", invoker.inFlight())
        .put("nativeTransport", vertx.isNativeTransportEnabled())
        .put("listener", listeners.describe())
        .put("clustered", cluster != null)
        .put("clusterNodeId", membership != null ? membership.nodeId() : null);
  }

  private <T> Future<T> bounded(Future<T> future, Duration timeout) {
    Promise<T> promise = Promise.promise();
    long timer =
        vertx.setTimer(
            Math.max(1, timeout.toMillis()),
            id -> {
              if (promise.tryComplete()) LOG.warn("some triggers did not stop within {}", timeout);
            });
    future.onComplete(
        ar -> {
          vertx.cancelTimer(timer);
          promise.tryComplete();
        });
    return promise.future();
  }

  /**
   * Packages named in {@code META-INF/veil/scan-packages} resources (one per line), so a
   * distribution can limit classpath discovery to its own code instead of reading every class of
   * its libraries.
   */
  private static List<String> declaredScanPackages(ClassLoader loader) throws IOException {
    List<String> packages = new ArrayList<>();
    Enumeration<URL> resources = loader.getResources(SCAN_PACKAGES_RESOURCE);
    while (resources.hasMoreElements()) {
      try (InputStream in = resources.nextElement().openStream()) {
        new String(in.readAllBytes(), StandardCharsets.UTF_8)
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .forEach(packages::add);
      }
    }
    return packages;
  }

  private static ClassLoader classLoader(List<Path> extra) throws MalformedURLException {
    ClassLoader parent = Thread.currentThread().getContextClassLoader();
    if (parent == null) parent = VeilHost.class.getClassLoader();
    if (extra.isEmpty()) return parent;
    return new URLClassLoader(
        AppClassPath.urls(extra), parent); // with each app's lib/ jars, as Azure packages them
  }

  private static <P> Map<Class<? extends Annotation>, P> byAnnotation(
      ServiceLoader<P> loader, Function<P, Class<? extends Annotation>> annotation) {
    Map<Class<? extends Annotation>, P> out = new HashMap<>();
    for (P provider : loader) {
      P previous = out.putIfAbsent(annotation.apply(provider), provider);
      if (previous != null) {
        throw new IllegalStateException(
            "both "
                + previous.getClass().getName()
                + " and "
                + provider.getClass().getName()
                + " handle @"
                + annotation.apply(provider).getSimpleName());
      }
    }
    return out;
  }
}
