package dev.veil.runtime.cluster;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.ClusterBroadcasts;
import dev.veil.runtime.spi.FunctionDefinition;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.HttpErrors;
import dev.veil.runtime.spi.RequestBodies;
import dev.veil.runtime.spi.NodeReports;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Handler;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host as a member of the function app: knows the admitted members and the functions each runs, routes
 * HTTP invocations to a node that hosts the function (by {@code key_id} affinity or least load), forwards
 * them over the clustered event bus, answers forwarded requests through its own HTTP pipeline, and serves
 * {@code /admin/cluster}.
 *
 * <p>A forwarded request is replayed against this host's own HTTP server, so authorization, body limits,
 * the invoker's concurrency limit and the function's parameter binding are exactly those of a direct call.
 */
public final class ClusterNode {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  /** Marks a request that was already routed; the receiving node runs it locally. */
  static final String FORWARDED_HEADER = "x-veil-forwarded";
  /** Lets a client name the affinity key without the host reading a JSON body. */
  static final String KEY_HEADER = "x-veil-key-id";
  private static final String KEY_FIELD = "key_id";
  private static final String STATUS_HEADER = "x-veil-status";
  private static final String METHOD_HEADER = "x-veil-method";
  private static final String URI_HEADER = "x-veil-uri";
  private static final String NODES_MAP = "veil.cluster.nodes";
  private static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  private static final JsonFactory JSON = new JsonFactory();
  /** How often each node tells the others its in-flight count (the bounded-load rule's view). */
  private static final Duration LOAD_GOSSIP_PERIOD = Duration.ofMillis(250);
  private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "transfer-encoding",
      "keep-alive", "upgrade", "te", "trailer");

  private final Vertx vertx;
  private final Context context;
  private final ClusterSettings settings;
  private final HazelcastClusterManager manager;
  private final HazelcastInstance hazelcast;
  private final HostConfig hostConfig;
  private final AuthKeys keys;
  private final Map<String, HttpRoute> routes = new HashMap<>();
  private List<String> localFunctions = List.of();
  private final IntSupplier localInFlight;
  private final String nodeId;
  private final LoadGossip loadGossip;
  private final Map<String, JsonObject> view = new ConcurrentHashMap<>();
  private final Map<String, String> refused = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> routedInFlight = new ConcurrentHashMap<>();
  private final Map<String, Set<Promise<Message<Buffer>>>> pendingForwards = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private HttpClient loopback;
  private EventBusBroadcasts broadcasts;
  /** The host's broadcasts and reports, which this node carries to and from the other nodes. */
  private final ClusterBroadcasts hostBroadcasts;
  private final NodeReports nodeReports;
  private UUID membershipListener;
  private long refreshTimer = -1;
  private int httpPort;
  private String httpHost;

  /** An HTTP-triggered function's route: the literal part before the first template parameter. */
  private record HttpRoute(String function, String literalPrefix, AuthorizationLevel authLevel) {}

  public ClusterNode(Vertx vertx, ClusterSettings settings, HazelcastClusterManager manager, HostConfig hostConfig,
      AuthKeys keys, List<FunctionDefinition> functions, IntSupplier localInFlight, ClusterBroadcasts hostBroadcasts,
      NodeReports nodeReports) {
    this.vertx = vertx;
    this.hostBroadcasts = hostBroadcasts;
    this.nodeReports = nodeReports;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.manager = manager;
    this.hazelcast = manager.getHazelcastInstance();
    this.hostConfig = hostConfig;
    this.keys = keys;
    this.localInFlight = localInFlight;
    this.nodeId = manager.getNodeId();
    this.loadGossip = new LoadGossip(vertx, nodeId, localInFlight, LOAD_GOSSIP_PERIOD);
    String prefix = hostConfig.routePrefix().isEmpty() ? "/" : "/" + hostConfig.routePrefix() + "/";
    for (FunctionDefinition fn : functions) {
      if (fn.trigger() instanceof HttpTrigger http) {
        String route = http.route().isBlank() ? fn.name() : http.route().replaceAll("^/+", "");
        int brace = route.indexOf('{');
        String literal = prefix + (brace < 0 ? route : route.substring(0, brace));
        routes.put(fn.name(), new HttpRoute(fn.name(), literal, http.authLevel()));
      }
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /**
   * Mounts the routing handler in front of the HTTP triggers (call before they add their routes) and
   * {@code /admin/cluster} (after the admin key check).
   */
  public void mountRoutes(Router router) {
    String prefix = hostConfig.routePrefix().isEmpty() ? "/*" : "/" + hostConfig.routePrefix() + "/*";
    Handler<RoutingContext> body = RequestBodies.reader(hostConfig.maxRequestBodyBytes());
    router.route(prefix)
        .handler(this::preRoute)
        .handler(ctx -> { if (ctx.get(Target.KEY) == null) ctx.next(); else body.handle(ctx); })
        .handler(this::dispatch);
    router.get("/admin/cluster").handler(ctx -> describe().onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", "application/json").end(ar.result().encodePrettily());
      } else {
        HttpErrors.send(ctx, 500, "the cluster could not be described: " + ar.cause().getMessage(), null);
      }
    }));
  }

  /** Publishes the functions running here and starts answering forwarded requests; call once HTTP listens. */
  public Future<Void> start(String bindHost, int port, List<String> runningFunctions) {
    return start(bindHost, port, runningFunctions, new HttpClientOptions());
  }

  /** As {@link #start(String, int, List)}; forwarded requests reach this host's listener with {@code loopbackOptions} (TLS). */
  public Future<Void> start(String bindHost, int port, List<String> runningFunctions, HttpClientOptions loopbackOptions) {
    this.localFunctions = List.copyOf(runningFunctions);
    this.httpPort = port;
    this.httpHost = bindHost.equals("0.0.0.0") || bindHost.equals("::") ? "127.0.0.1" : bindHost;
    this.loopback = vertx.createHttpClient(loopbackOptions);
    consumers.add(vertx.eventBus().<Buffer>consumer(httpAddress(nodeId), this::serveForwarded));
    consumers.add(vertx.eventBus().<JsonObject>consumer(infoAddress(nodeId), msg -> localReport().onSuccess(msg::reply)));
    broadcasts = new EventBusBroadcasts(vertx, hostBroadcasts).start();
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override public void memberAdded(MembershipEvent event) { context.runOnContext(v -> refresh()); }
      @Override public void memberRemoved(MembershipEvent event) {
        context.runOnContext(v -> memberLeft(vertxNodeId(event.getMember())));
      }
    });
    refreshTimer = vertx.setPeriodic(2000, id -> refresh());
    JsonObject self = new JsonObject().put("functions", new JsonArray(localFunctions));
    return loadGossip.start().compose(v -> nodes()).compose(map -> map.put(nodeId, self)).onSuccess(v -> refresh())
        .onSuccess(v -> LOG.info("cluster '{}': node {} joined with {} function(s)", settings.name(), nodeId, localFunctions.size()));
  }

  /** Leaves the directory (other nodes stop routing here) and stops answering. */
  public Future<Void> stop() {
    if (refreshTimer >= 0) vertx.cancelTimer(refreshTimer);
    if (membershipListener != null) hazelcast.getCluster().removeMembershipListener(membershipListener);
    List<Future<Void>> stops = new ArrayList<>();
    consumers.forEach(c -> stops.add(c.unregister()));
    if (broadcasts != null) stops.add(broadcasts.stop());
    stops.add(loadGossip.stop());
    stops.add(nodes().compose(map -> map.remove(nodeId)).mapEmpty());
    return Future.join(stops).<Void>mapEmpty().eventually(() -> loopback != null ? loopback.close() : Future.succeededFuture());
  }

  // ---- membership -------------------------------------------------------------------------------

  private Future<AsyncMap<String, JsonObject>> nodes() {
    return vertx.sharedData().getAsyncMap(NODES_MAP);
  }

  /** Rebuilds the view: Hazelcast members whose secret proof verifies, with the functions they published. */
  private void refresh() {
    nodes().compose(AsyncMap::entries).onSuccess(entries -> {
      // Membership is read after the map: a member that left while the map was read must not come back.
      Map<String, Boolean> members = admittedMembers();
      List<String> gone = view.keySet().stream().filter(id -> !Boolean.TRUE.equals(members.get(id))).toList();
      gone.forEach(this::failForwardsTo);
      view.keySet().removeAll(gone);
      entries.forEach((id, info) -> {
        if (Boolean.TRUE.equals(members.get(id))) view.put(id, info);
      });
      refused.keySet().removeIf(id -> !members.containsKey(id));
    });
  }

  /** Live Hazelcast members by Vert.x node id, each with whether it proved the cluster secret. */
  private Map<String, Boolean> admittedMembers() {
    Map<String, Boolean> members = new HashMap<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      String id = vertxNodeId(m);
      boolean ok = settings.admits(m.getAttribute(ClusterSettings.NONCE_ATTRIBUTE), m.getAttribute(ClusterSettings.PROOF_ATTRIBUTE));
      members.put(id, ok);
      if (!ok && refused.putIfAbsent(id, m.getAddress().toString()) == null) {
        LOG.warn("cluster member {} at {} did not prove the cluster secret; it gets no work", id, m.getAddress());
      }
    }
    return members;
  }

  /** The Vert.x node id, which the Hazelcast cluster manager keeps as a member attribute (not the member UUID). */
  private static String vertxNodeId(Member member) {
    String id = member.getAttribute(VERTX_NODE_ID_ATTRIBUTE);
    return id != null ? id : member.getUuid().toString();
  }

  private void memberLeft(String id) {
    view.remove(id);
    routedInFlight.remove(id);
    loadGossip.forget(id);
    refused.remove(id);
    nodes().compose(map -> map.remove(id)); // any survivor may clean up; removing twice is harmless
    LOG.warn("cluster node {} left; {} forwarded invocation(s) were in flight there", id, failForwardsTo(id));
  }

  /** Fails the forwarded invocations waiting on a node that is gone, so they are replayed or answered 503. */
  private int failForwardsTo(String id) {
    Set<Promise<Message<Buffer>>> lost = pendingForwards.remove(id);
    if (lost == null) return 0;
    lost.forEach(p -> p.tryFail(new NodeLeft(id)));
    return lost.size();
  }

  private static final class NodeLeft extends RuntimeException {
    NodeLeft(String id) {
      super("node " + id + " left the cluster", null, false, false);
    }
  }

  // ---- routing ----------------------------------------------------------------------------------

  /** What {@link #preRoute} decided: the function and its candidate nodes (only set when others exist). */
  private record Target(String function, List<String> candidates) {
    static final String KEY = "veil.cluster.target";
  }

  private void preRoute(RoutingContext ctx) {
    if (ctx.request().headers().contains(FORWARDED_HEADER)) {
      ctx.next();
      return;
    }
    HttpRoute route = routeFor(ctx.request().path());
    if (route == null || !keys.check(route.authLevel(), route.function(), ctx.request()).allowed()) {
      ctx.next(); // unknown paths and unauthorized callers get the local answer (404 / 401)
      return;
    }
    List<String> candidates = new ArrayList<>();
    view.forEach((id, info) -> {
      if (info.getJsonArray("functions", new JsonArray()).contains(route.function())) candidates.add(id);
    });
    if (!candidates.contains(nodeId) && localFunctions.contains(route.function())) candidates.add(nodeId);
    if (candidates.size() > 1 || (candidates.size() == 1 && !candidates.contains(nodeId))) {
      candidates.sort(null);
      ctx.put(Target.KEY, new Target(route.function(), candidates));
    }
    ctx.next();
  }

  private HttpRoute routeFor(String path) {
    HttpRoute best = null;
    for (HttpRoute r : routes.values()) {
      boolean match = path.equals(r.literalPrefix()) || path.startsWith(r.literalPrefix())
          && (r.literalPrefix().endsWith("/") || path.charAt(r.literalPrefix().length()) == '/');
      if (match && (best == null || r.literalPrefix().length() > best.literalPrefix().length())) best = r;
    }
    return best;
  }

  private void dispatch(RoutingContext ctx) {
    Target target = ctx.get(Target.KEY);
    if (target == null) {
      ctx.next();
      return;
    }
    String key = settings.affinity() ? affinityKey(ctx) : null;
    forward(ctx, target, key, new ArrayList<>(target.candidates()));
  }

  private void forward(RoutingContext ctx, Target target, String key, List<String> candidates) {
    String chosen = Placement.choose(candidates, key, loadView(), rotation.getAndIncrement(),
        hostConfig.workerPoolSize());
    AtomicInteger counter = routedInFlight.computeIfAbsent(chosen, id -> new AtomicInteger());
    counter.incrementAndGet();
    if (chosen.equals(nodeId)) {
      ctx.addEndHandler(v -> counter.decrementAndGet());
      ctx.next();
      return;
    }
    send(chosen, ctx).onComplete(ar -> {
      counter.decrementAndGet();
      if (ar.succeeded()) {
        relay(ctx, ar.result());
        return;
      }
      // Anything but the target's own answer (RECIPIENT_FAILURE) or a timeout means the request never ran there.
      boolean lost = !(ar.cause() instanceof ReplyException re)
          || re.failureType() != ReplyFailure.RECIPIENT_FAILURE && re.failureType() != ReplyFailure.TIMEOUT;
      if (lost) {
        candidates.remove(chosen);
        if (replayable(ctx) && !candidates.isEmpty()) {
          LOG.info("function={} replaying on another node: {}", target.function(), ar.cause().getMessage());
          forward(ctx, target, key, candidates);
        } else {
          HttpErrors.send(ctx, 503, "the node serving this request left the cluster; "
              + (replayable(ctx) ? "no other node hosts the function" : "the request was not replayed (set veil.cluster.replayHttp to replay)"), null);
        }
      } else if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
        HttpErrors.send(ctx, 504, "the node serving this request did not answer in time", null);
      } else {
        LOG.warn("function={} forwarding to node {} failed: {}", target.function(), chosen, ar.cause().toString());
        HttpErrors.send(ctx, 502, "the node serving this request failed: " + ar.cause().getMessage(), null);
      }
    });
  }

  /**
   * In-flight invocations per node: what each node last reported, raised to what this node has sent there
   * and not yet seen answered (a report can be up to one gossip period old), and this node's own count.
   */
  private Map<String, Integer> loadView() {
    Map<String, Integer> load = loadGossip.reported();
    routedInFlight.forEach((id, n) -> load.merge(id, n.get(), Math::max));
    load.merge(nodeId, localInFlight.getAsInt(), Math::max);
    return load;
  }

  /** GET/HEAD/OPTIONS always; other methods only with {@code veil.cluster.replayHttp}. */
  private boolean replayable(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    return settings.replayHttp() || m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS;
  }

  private Future<Message<Buffer>> send(String target, RoutingContext ctx) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(forwardTimeout().toMillis());
    ctx.request().headers().forEach((name, value) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase())) options.addHeader(name, value);
    });
    options.addHeader(METHOD_HEADER, ctx.request().method().name()).addHeader(URI_HEADER, ctx.request().uri());
    Buffer body = RequestBodies.of(ctx);
    Promise<Message<Buffer>> promise = Promise.promise();
    Set<Promise<Message<Buffer>>> pending = pendingForwards.computeIfAbsent(target, id -> ConcurrentHashMap.newKeySet());
    pending.add(promise);
    vertx.eventBus().<Buffer>request(httpAddress(target), body != null ? body : Buffer.buffer(), options)
        .onComplete(ar -> {
          pending.remove(promise);
          if (ar.succeeded()) promise.tryComplete(ar.result()); else promise.tryFail(ar.cause());
        });
    if (!view.containsKey(target)) promise.tryFail(new NodeLeft(target)); // left between choice and send
    return promise.future();
  }

  private Duration forwardTimeout() {
    return hostConfig.functionTimeout().map(t -> t.plusSeconds(30)).orElse(Duration.ofMinutes(10));
  }

  private static void relay(RoutingContext ctx, Message<Buffer> reply) {
    var response = ctx.response();
    reply.headers().forEach((name, value) -> {
      if (!name.equals(STATUS_HEADER) && !HOP_HEADERS.contains(name.toLowerCase())) response.headers().add(name, value);
    });
    response.setStatusCode(Integer.parseInt(reply.headers().get(STATUS_HEADER))).end(reply.body());
  }

  /** The affinity key: {@code x-veil-key-id}, the {@code key_id} query parameter, or a top-level JSON field. */
  static String affinityKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(KEY_HEADER);
    if (key == null) key = ctx.request().getParam(KEY_FIELD);
    if (key != null) return key;
    Buffer body = RequestBodies.of(ctx);
    return body == null ? null : keyFromJson(body.getBytes());
  }

  /** Reads only the top level of a JSON object (nested values are skipped), so big ciphertexts cost a scan. */
  static String keyFromJson(byte[] json) {
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals(KEY_FIELD)) return value == JsonToken.VALUE_STRING ? parser.getText() : null;
        parser.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null; // not JSON: no affinity; the function reports the bad body itself
    }
  }

  // ---- serving forwarded requests ---------------------------------------------------------------

  private void serveForwarded(Message<Buffer> msg) {
    MultiMap in = msg.headers();
    RequestOptions options = new RequestOptions().setHost(httpHost).setPort(httpPort)
        .setMethod(HttpMethod.valueOf(in.get(METHOD_HEADER))).setURI(in.get(URI_HEADER));
    in.forEach((name, value) -> {
      if (!name.equals(METHOD_HEADER) && !name.equals(URI_HEADER)) options.addHeader(name, value);
    });
    options.putHeader(FORWARDED_HEADER, "1");
    loopback.request(options)
        .compose(req -> req.send(msg.body()))
        .compose(resp -> resp.body().map(body -> answer(resp, body)))
        .onSuccess(reply -> msg.reply(reply.body, reply.options))
        .onFailure(err -> msg.fail(502, "node " + nodeId + " could not run the request: " + err.getMessage()));
  }

  private record Reply(Buffer body, DeliveryOptions options) {}

  private static Reply answer(HttpClientResponse resp, Buffer body) {
    DeliveryOptions options = new DeliveryOptions().addHeader(STATUS_HEADER, Integer.toString(resp.statusCode()));
    resp.headers().forEach((name, value) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase())) options.addHeader(name, value);
    });
    return new Reply(body, options);
  }

  // ---- /admin/cluster ---------------------------------------------------------------------------

  private Future<JsonObject> localReport() {
    Member self = hazelcast.getCluster().getLocalMember();
    JsonObject report = new JsonObject().put("nodeId", nodeId).put("address", self.getAddress().toString())
        .put("functions", new JsonArray(localFunctions)).put("inFlightInvocations", localInFlight.getAsInt());
    return nodeReports.collect().map(extra -> report.put("reports", extra));
  }

  /** Every admitted member's own report (asked live), plus members refused for a wrong secret. */
  public Future<JsonObject> describe() {
    List<String> ids = new ArrayList<>(view.keySet());
    if (!ids.contains(nodeId)) ids.add(nodeId);
    ids.sort(null);
    List<Future<JsonObject>> reports = new ArrayList<>();
    for (String id : ids) {
      Future<JsonObject> report = id.equals(nodeId) ? localReport()
          : vertx.eventBus().<JsonObject>request(infoAddress(id), null, new DeliveryOptions().setSendTimeout(3000))
              .map(Message::body)
              .otherwise(err -> new JsonObject().put("nodeId", id).put("error", "no answer: " + err.getMessage()));
      reports.add(report.map(r -> r.put("self", id.equals(nodeId))));
    }
    return Future.all(reports).map(all -> {
      JsonArray members = new JsonArray();
      reports.forEach(r -> members.add(r.result()));
      JsonArray refusedMembers = new JsonArray();
      refused.forEach((id, address) -> refusedMembers.add(new JsonObject().put("nodeId", id).put("address", address)));
      return new JsonObject().put("cluster", settings.name()).put("nodeId", nodeId).put("members", members)
          .put("refused", refusedMembers).put("affinity", settings.affinity()).put("replayHttp", settings.replayHttp())
          .put("loadView", new JsonObject(new HashMap<>(loadView())));
    });
  }

  private static String httpAddress(String node) {
    return "veil.cluster.http." + node;
  }

  private static String infoAddress(String node) {
    return "veil.cluster.info." + node;
  }
}
