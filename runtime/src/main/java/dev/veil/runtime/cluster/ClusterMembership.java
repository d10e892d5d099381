package dev.veil.runtime.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
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
 * This host as a member of the function app: the admitted members (Hazelcast members that proved
 * the cluster secret) with the functions each runs, the cluster-wide load view, and the choice of a
 * node for an invocation ({@link Placement}). Knows nothing of triggers or payloads: callers name a
 * function and an optional placement key.
 */
public final class ClusterMembership {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
  private static final String NODES_MAP = "veil.cluster.nodes";
  private static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  /** How often each node tells the others its in-flight count (the bounded-load rule's view). */
  private static final Duration LOAD_GOSSIP_PERIOD = Duration.ofMillis(250);

  private final Vertx vertx;
  private final Context context;
  private final ClusterSettings settings;
  private final HazelcastInstance hazelcast;
  private final IntSupplier localInFlight;
  private final int capacity;
  private final String nodeId;
  private final LoadGossip loadGossip;
  private final Map<String, JsonObject> view = new ConcurrentHashMap<>();
  private final Map<String, String> refused = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> routedInFlight = new ConcurrentHashMap<>();
  private final Map<String, Set<Promise<?>>> waitingOn = new ConcurrentHashMap<>();
  private final AtomicInteger rotation = new AtomicInteger();
  private List<String> localFunctions = List.of();
  private UUID membershipListener;
  private long refreshTimer = -1;

  /**
   * @param localInFlight this node's invocations in flight
   * @param capacity invocations a node runs at once (its worker threads), for the bounded-load rule
   */
  public ClusterMembership(
      Vertx vertx,
      ClusterSettings settings,
      HazelcastClusterManager manager,
      IntSupplier localInFlight,
      int capacity) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.settings = settings;
    this.hazelcast = manager.getHazelcastInstance();
    this.localInFlight = localInFlight;
    this.capacity = capacity;
    this.nodeId = manager.getNodeId();
    this.loadGossip = new LoadGossip(vertx, nodeId, localInFlight, LOAD_GOSSIP_PERIOD);
  }

  public String nodeId() {
    return nodeId;
  }

  public ClusterSettings settings() {
    return settings;
  }

  /** Publishes the functions running here, so other nodes send their invocations here too. */
  public Future<Void> start(List<String> runningFunctions) {
    this.localFunctions = List.copyOf(runningFunctions);
    membershipListener =
        hazelcast
            .getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent event) {
                    context.runOnContext(v -> refresh());
                  }

                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    context.runOnContext(v -> memberLeft(vertxNodeId(event.getMember())));
                  }
                });
    refreshTimer = vertx.setPeriodic(2000, id -> refresh());
    JsonObject self = new JsonObject().put("functions", new JsonArray(localFunctions));
    return loadGossip
        .start()
        .compose(v -> nodes())
        .compose(map -> map.put(nodeId, self))
        .onSuccess(v -> refresh())
        .onSuccess(
            v ->
                LOG.info(
                    "cluster '{}': node {} joined with {} function(s)",
                    settings.name(),
                    nodeId,
                    localFunctions.size()));
  }

  /** Leaves the directory (other nodes stop choosing this one). */
  public Future<Void> stop() {
    if (refreshTimer >= 0) vertx.cancelTimer(refreshTimer);
    if (membershipListener != null)
      hazelcast.getCluster().removeMembershipListener(membershipListener);
    return Future.join(loadGossip.stop(), nodes().compose(map -> map.remove(nodeId))).mapEmpty();
  }

  /** The functions this node runs. */
  public List<String> localFunctions() {
    return localFunctions;
  }

  /** This node's Hazelcast address. */
  public String localAddress() {
    return hazelcast.getCluster().getLocalMember().getAddress().toString();
  }

  /** Admitted members other than this node, and this node; sorted. */
  public List<String> members() {
    List<String> ids = new ArrayList<>(view.keySet());
    if (!ids.contains(nodeId)) ids.add(nodeId);
    ids.sort(null);
    return ids;
  }

  /** Members that did not prove the cluster secret: node id → address. */
  public Map<String, String> refused() {
    return Map.copyOf(refused);
  }

  /** Admitted nodes (this one included) that run {@code function}, sorted. */
  public List<String> hosting(String function) {
    List<String> candidates = new ArrayList<>();
    view.forEach(
        (id, info) -> {
          if (info.getJsonArray("functions", new JsonArray()).contains(function))
            candidates.add(id);
        });
    if (!candidates.contains(nodeId) && localFunctions.contains(function)) candidates.add(nodeId);
    candidates.sort(null);
    return candidates;
  }

  /** Whether {@code id} is an admitted member now. */
  public boolean admitted(String id) {
    return id.equals(nodeId) || view.containsKey(id);
  }

  /**
   * A node chosen for one invocation; {@link #done()} once it answered, so the load view forgets
   * it.
   */
  public record Choice(String node, AtomicInteger counter) {
    public void done() {
      counter.decrementAndGet();
    }
  }

  /**
   * Chooses among {@code candidates} (never empty) by {@link Placement}: the key's owner under
   * bounded load (when affinity is on and {@code key} is not null), else the least loaded; counts
   * the invocation against the chosen node until {@link Choice#done()}.
   */
  public Choice choose(List<String> candidates, String key) {
    String chosen =
        Placement.choose(
            candidates,
            settings.affinity() ? key : null,
            loadView(),
            rotation.getAndIncrement(),
            capacity);
    AtomicInteger counter = routedInFlight.computeIfAbsent(chosen, id -> new AtomicInteger());
    counter.incrementAndGet();
    return new Choice(chosen, counter);
  }

  /**
   * In-flight invocations per node: what each node last reported, raised to what this node has sent
   * there and not yet seen answered (a report can be up to one gossip period old), and this node's
   * own count.
   */
  public Map<String, Integer> loadView() {
    Map<String, Integer> load = loadGossip.reported();
    routedInFlight.forEach((id, n) -> load.merge(id, n.get(), Math::max));
    load.merge(nodeId, localInFlight.getAsInt(), Math::max);
    return load;
  }

  /**
   * Fails {@code waiting} with {@link NodeLeft} when {@code node} leaves (at once if it already
   * has); the returned handle stops watching.
   */
  public Runnable failWhenGone(String node, Promise<?> waiting) {
    Set<Promise<?>> set = waitingOn.computeIfAbsent(node, id -> ConcurrentHashMap.newKeySet());
    set.add(waiting);
    if (!admitted(node)) waiting.tryFail(new NodeLeft(node)); // left between choice and send
    return () -> set.remove(waiting);
  }

  /** The node an invocation waited on left the cluster: it may or may not have run there. */
  public static final class NodeLeft extends RuntimeException {
    NodeLeft(String id) {
      super("node " + id + " left the cluster", null, false, false);
    }
  }

  private Future<AsyncMap<String, JsonObject>> nodes() {
    return vertx.sharedData().getAsyncMap(NODES_MAP);
  }

  /**
   * Rebuilds the view: Hazelcast members whose secret proof verifies, with the functions they
   * published.
   */
  private void refresh() {
    nodes()
        .compose(AsyncMap::entries)
        .onSuccess(
            entries -> {
              // Membership is read after the map: a member that left while the map was read must
              // not come back.
              Map<String, Boolean> members = admittedMembers();
              List<String> gone =
                  view.keySet().stream()
                      .filter(id -> !Boolean.TRUE.equals(members.get(id)))
                      .toList();
              gone.forEach(this::failWaitingOn);
              view.keySet().removeAll(gone);
              entries.forEach(
                  (id, info) -> {
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
      boolean ok =
          settings.admits(
              m.getAttribute(ClusterSettings.NONCE_ATTRIBUTE),
              m.getAttribute(ClusterSettings.PROOF_ATTRIBUTE));
      members.put(id, ok);
      if (!ok && refused.putIfAbsent(id, m.getAddress().toString()) == null) {
        LOG.warn(
            "cluster member {} at {} did not prove the cluster secret; it gets no work",
            id,
            m.getAddress());
      }
    }
    return members;
  }

  /**
   * The Vert.x node id, which the Hazelcast cluster manager keeps as a member attribute (not the
   * member UUID).
   */
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
    LOG.warn(
        "cluster node {} left; {} invocation(s) sent there were in flight", id, failWaitingOn(id));
  }

  /** Fails what waits on a node that is gone, so it is replayed or answered 503. */
  private int failWaitingOn(String id) {
    Set<Promise<?>> lost = waitingOn.remove(id);
    if (lost == null) return 0;
    lost.forEach(p -> p.tryFail(new NodeLeft(id)));
    return lost.size();
  }
}
