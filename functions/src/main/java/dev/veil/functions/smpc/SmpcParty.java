package dev.veil.functions.smpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.runtime.spi.HostScope;
import dev.veil.smpc.Dealer;
import dev.veil.smpc.InProcess;
import dev.veil.smpc.Material;
import dev.veil.smpc.Party;
import dev.veil.smpc.Plan;
import dev.veil.smpc.SecureMlp;
import dev.veil.smpc.SharedMlp;
import dev.veil.smpc.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compute party: holds its model shares, takes a client's input share, fetches the session's
 * material from the crypto provider, runs the shared inference with its peer, and answers with
 * output shares only.
 */
final class SmpcParty {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** The inbox slot of party 0's announcement: which pre-dealt session a request uses. */
  static final int ANNOUNCE = -1;

  static final int PREFETCH_DEPTH = 4;

  /**
   * Party 0 drops a pre-dealt session after this; party 1 keeps its half twice as long ({@link
   * PrefetchedBundles}).
   */
  static final long PREFETCH_MAX_AGE_SECONDS = 120;

  /** A pre-dealt session: its id at the provider and party 0's material for it. */
  private record Prefetched(String id, Material material) {}

  private final SmpcSettings settings;
  private final int party;
  private final SessionKeys peerKeys;
  private final SessionKeys providerKeys;
  private final SmpcHttp http;
  private final PartySessions sessions;

  /**
   * Party 0's pre-dealt sessions, so that the ≈ 10 ms bundle fetch leaves the request path: per
   * computation served, up to {@value #PREFETCH_DEPTH} sessions whose bundles both parties already
   * hold (party 0 fetched its own, party 1 its own when party 0 named the session in {@code
   * smpc/prefetch}). A request takes one and announces its id.
   */
  private final ReadyQueues<Prefetched> prefetch =
      new ReadyQueues<>("smpc-party-prefetch", PREFETCH_DEPTH, PREFETCH_MAX_AGE_SECONDS);

  private final PrefetchedBundles prefetched = new PrefetchedBundles();
  private final Map<String, SharedMlp> models;
  private final Map<String, Plan> plans = new ConcurrentHashMap<>();

  SmpcParty(SmpcSettings settings, List<SharedMlp> shares) {
    this.settings = settings;
    this.party = settings.party();
    this.peerKeys = settings.keys(SessionKeys.PARTIES);
    this.providerKeys = settings.keys(SessionKeys.providerLink(party));
    this.http = new SmpcHttp(settings);
    this.sessions = new PartySessions(settings.timeout());
    Map<String, SharedMlp> byName = new LinkedHashMap<>();
    for (SharedMlp s : shares) {
      if (s.party() != party) {
        throw new IllegalStateException(
            "share file of model "
                + s.name()
                + " is party "
                + s.party()
                + "'s, but this host is party "
                + party);
      }
      byName.put(s.name(), s);
    }
    this.models = Map.copyOf(byName);
    if (settings.peer() == null || settings.provider() == null) {
      throw new IllegalStateException(
          SmpcSettings.PEER + " and " + SmpcSettings.PROVIDER + " must be set on a compute party");
    }
  }

  /** The host's party, configured from its app settings on first use. */
  static SmpcParty of(HostScope scope) {
    return scope.shared(
        SmpcParty.class,
        x -> {
          SmpcSettings s = SmpcSettings.of(scope);
          if (s.party() < 0) {
            throw new SmpcFailure(
                404,
                "this host is not an SMPC compute party ("
                    + SmpcSettings.ROLE
                    + " is "
                    + (s.role() == null ? "unset" : s.role())
                    + ")");
          }
          try {
            return new SmpcParty(s, ShareStore.of(s).all());
          } catch (IOException e) {
            throw new IllegalStateException(
                "cannot read this party's model shares: " + e.getMessage(), e);
          }
        });
  }

  int party() {
    return party;
  }

  PartySessions sessions() {
    return sessions;
  }

  private SharedMlp model(String name) {
    SharedMlp m = models.get(name);
    if (m == null) {
      throw new SmpcFailure(
          404,
          "party "
              + party
              + " holds no shares of model '"
              + name
              + "'; it holds "
              + models.keySet());
    }
    return m;
  }

  /** Public facts about a model: what a client needs to share its input. */
  Map<String, Object> info(String name) {
    SharedMlp m = model(name);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", m.name());
    out.put("version", m.version());
    out.put("party", party);
    out.put("inputs", m.inputs());
    out.put("outputs", m.outputs());
    out.put("fracBits", m.fixedPoint().fracBits());
    out.put("maxRows", settings.maxRows());
    return out;
  }

  /** A client's request, checked before anything is decoded into memory. */
  record Request(
      String session, SharedMlp model, int rows, long[] share, long[] labels, String output) {}

  /** What a prediction reveals to the client: the scores, only the predicted classes, or both. */
  static final java.util.Set<String> OUTPUTS = java.util.Set.of("scores", "argmax", "both");

  Request parse(String body) {
    if (body == null || body.isBlank()) {
      throw SmpcFailure.badInput(
          "send a JSON body {session, model, version, rows, share[, labels]}");
    }
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw SmpcFailure.badInput("the body is not JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw SmpcFailure.badInput("the body must be a JSON object");
    }
    String session = SessionKeys.checkSession(n.path("session").asText(null));
    SharedMlp model = model(n.path("model").asText(""));
    String version = n.path("version").asText("");
    if (!version.equals(model.version())) {
      throw new SmpcFailure(
          409,
          "model version mismatch: party "
              + party
              + " holds "
              + model.name()
              + " "
              + model.version()
              + ", the request names '"
              + version
              + "'");
    }
    JsonNode rowsNode = n.path("rows");
    if (!rowsNode.canConvertToInt()
        || rowsNode.asInt() < 1
        || rowsNode.asInt() > settings.maxRows()) {
      throw SmpcFailure.badInput("rows must be a whole number from 1 to " + settings.maxRows());
    }
    int rows = rowsNode.asInt();
    long[] share = words(n.path("share"), "share", (long) rows * model.inputs());
    long[] labels = n.has("labels") ? words(n.path("labels"), "labels", rows) : null;
    String output = n.path("output").asText("scores");
    if (!OUTPUTS.contains(output)) {
      throw SmpcFailure.badInput("output must be scores, argmax or both, got '" + output + "'");
    }
    return new Request(session, model, rows, share, labels, output);
  }

  private static long[] words(JsonNode node, String field, long expected) {
    if (!node.isTextual()) {
      throw SmpcFailure.badInput(field + " must be a base64 string of little-endian 64-bit words");
    }
    String text = node.asText();
    long expectedChars = (expected * 8 + 2) / 3 * 4;
    if (text.length() != expectedChars) {
      throw SmpcFailure.badInput(
          field
              + " has "
              + text.length()
              + " base64 characters; "
              + expected
              + " words need "
              + expectedChars);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw SmpcFailure.badInput(field + " is not valid base64: " + e.getMessage());
    }
    return Wire.fromBytes(bytes);
  }

  /**
   * Runs one request through the protocol with the peer; the answer holds shares (or the opened
   * count) only.
   */
  Map<String, Object> predict(Request req) {
    PartySessions.Session session = sessions.start(req.session());
    long started = System.nanoTime();
    String kind =
        req.model().version()
            + "|"
            + req.rows()
            + "|"
            + (req.labels() != null || !req.output().equals("scores"))
            + "|"
            + (req.labels() != null);
    boolean fromPool = false;
    try {
      boolean argmax = req.labels() != null || !req.output().equals("scores");
      InProcess.Computation<Object> computation =
          p -> {
            SecureMlp.Output out = SecureMlp.infer(p, req.model(), req.share(), req.rows(), argmax);
            return req.labels() == null
                ? out
                : SecureMlp.correctCount(p, out.argmax(), req.labels());
          };
      Plan plan =
          plans.computeIfAbsent(kind, k -> InProcess.plan(computation, req.model().fixedPoint()));
      byte[] planBytes = plan.toBytes();
      String version = req.model().version();
      boolean poolable =
          (long) Dealer.bundleBytes(0, plan) + Dealer.bundleBytes(1, plan)
              <= MaterialPool.MAX_POOLED_BYTES;
      Material material;
      if (party == 0) {
        // party 0 chooses the pre-dealt session (one fetched ahead when there is one) and tells
        // party 1 first
        Prefetched ready = poolable ? prefetch.poll(kind) : null;
        fromPool = ready != null;
        String materialId = fromPool ? ready.id() : SessionKeys.newSession();
        byte[] id = materialId.getBytes(StandardCharsets.US_ASCII);
        http.post(
            "party 1",
            URI.create(settings.peer() + "/smpc/announce/" + req.session()),
            id,
            Map.of(
                HttpPeerChannel.FROM,
                "0",
                HttpPeerChannel.MODEL,
                version,
                SessionKeys.HEADER,
                peerKeys.mac(req.session(), announceContext(version), id)),
            settings.timeout());
        material = fromPool ? ready.material() : fetch(materialId, plan, planBytes, version);
        if (poolable) {
          prefetch.refill(
              kind,
              () -> {
                String next = SessionKeys.newSession();
                return new Prefetched(next, prepare(next, plan, planBytes, version));
              });
        }
      } else {
        String materialId = new String(session.await(ANNOUNCE), StandardCharsets.US_ASCII);
        Material ahead = prefetched.take(materialId, version);
        fromPool = ahead != null;
        if (ahead != null && !ahead.plan().equals(plan)) {
          throw new SmpcFailure(
              409,
              "party 0 announced prefetched session "
                  + materialId
                  + ", dealt for a different computation");
        }
        material = ahead != null ? ahead : fetch(materialId, plan, planBytes, version);
      }
      long dealt = System.nanoTime();
      long cpu = THREADS.getCurrentThreadCpuTime();
      Party p =
          new Party(
              party,
              new HttpPeerChannel(
                  party,
                  settings.peer(),
                  http,
                  peerKeys,
                  session,
                  req.model().version(),
                  settings.timeout()),
              material,
              req.model().fixedPoint());
      Object result = computation.run(p);
      long done = System.nanoTime();
      long cpuDone = THREADS.getCurrentThreadCpuTime();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("session", req.session());
      out.put("party", party);
      out.put("model", req.model().name());
      out.put("version", req.model().version());
      out.put("rows", req.rows());
      if (result instanceof SecureMlp.Output o) {
        out.put("classes", req.model().outputs());
        if (!req.output().equals("argmax")) {
          out.put("scores", Base64.getEncoder().encodeToString(Wire.toBytes(o.scores())));
        }
        if (o.argmax() != null) {
          out.put("argmax", Base64.getEncoder().encodeToString(Wire.toBytes(o.argmax())));
        }
      } else {
        out.put("correct", result);
      }
      out.put("rounds", p.rounds());
      out.put("bytesSent", p.bytesSent());
      out.put("materialBytes", Dealer.bundleBytes(party, plan));
      out.put("materialPrefetched", fromPool);
      out.put("materialMillis", (dealt - started) / 1e6);
      out.put("onlineMillis", (done - dealt) / 1e6);
      // the CPU this party's thread spent on the online phase: its compute cost, whatever else the
      // machine runs
      out.put("onlineCpuMillis", (cpuDone - cpu) / 1e6);
      return out;
    } catch (RuntimeException e) {
      if (fromPool && party == 0) {
        prefetch.drop(
            kind); // party 1 may have lost its halves (a restart): fetch in the request until the
        // pool refills
      }
      throw e;
    } finally {
      sessions.end(session);
    }
  }

  static String announceContext(String version) {
    return "announce|0|" + version;
  }

  static String prefetchContext(String version) {
    return "prefetch|0|" + version;
  }

  /**
   * This party's material for pre-dealt session {@code id}, checked: authenticated by the provider,
   * for this plan.
   */
  private Material fetch(String id, Plan plan, byte[] planBytes, String version) {
    HttpResponse<byte[]> r =
        http.post(
            "the crypto provider",
            URI.create(settings.provider() + "/smpc/material/" + id + "/" + party),
            planBytes,
            Map.of(
                HttpPeerChannel.MODEL,
                version,
                SessionKeys.HEADER,
                providerKeys.mac(id, SmpcProvider.context(party, version), planBytes)),
            settings.timeout());
    byte[] bundle = r.body();
    if (!providerKeys.verify(
        id,
        SmpcProvider.bundleContext(party, version),
        bundle,
        r.headers().firstValue(SessionKeys.HEADER).orElse(null))) {
      throw new SmpcFailure(
          502,
          "the material the crypto provider sent for session " + id + " failed authentication");
    }
    Material material;
    try {
      material = new Material(party, bundle);
    } catch (IllegalArgumentException e) {
      throw new SmpcFailure(502, "the crypto provider sent unusable material: " + e.getMessage());
    }
    if (!material.plan().equals(plan)) {
      throw new SmpcFailure(502, "the crypto provider dealt material for a different computation");
    }
    return material;
  }

  /**
   * Party 0, ahead of requests: fetches its material for pre-dealt session {@code id} and has party
   * 1 fetch its own.
   */
  private Material prepare(String id, Plan plan, byte[] planBytes, String version) {
    Material mine = fetch(id, plan, planBytes, version);
    http.post(
        "party 1",
        URI.create(settings.peer() + "/smpc/prefetch/" + id),
        planBytes,
        Map.of(
            HttpPeerChannel.FROM,
            "0",
            HttpPeerChannel.MODEL,
            version,
            SessionKeys.HEADER,
            peerKeys.mac(id, prefetchContext(version), planBytes)),
        settings.timeout());
    return mine;
  }

  /**
   * Party 1: party 0 names a pre-dealt session and its plan; this party fetches its material for it
   * now.
   */
  void prefetch(String id, String from, String version, String tag, byte[] planBytes) {
    SessionKeys.checkSession(id);
    if (party != 1) {
      throw new SmpcFailure(403, "only party 1 takes prefetch requests (from party 0)");
    }
    checkFrom(from);
    if (version == null || !peerKeys.verify(id, prefetchContext(version), planBytes, tag)) {
      throw new SmpcFailure(401, "message authentication failed for the prefetch of session " + id);
    }
    if (models.values().stream().noneMatch(m -> m.version().equals(version))) {
      throw new SmpcFailure(409, "party 1 holds no model of version " + version);
    }
    Plan plan;
    try {
      plan = Plan.fromBytes(planBytes).checkBounds();
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw SmpcFailure.badInput("the plan is malformed: " + e.getMessage());
    }
    prefetched.put(id, version, fetch(id, plan, planBytes, version));
  }

  /** Party 1: party 0's announcement of which pre-dealt session request {@code session} uses. */
  void announce(String session, String from, String version, String tag, byte[] body) {
    SessionKeys.checkSession(session);
    checkFrom(from);
    if (party != 1) {
      throw new SmpcFailure(403, "only party 1 takes announcements (from party 0)");
    }
    if (version == null || !peerKeys.verify(session, announceContext(version), body, tag)) {
      throw new SmpcFailure(
          401, "message authentication failed for the announcement of session " + session);
    }
    SessionKeys.checkSession(new String(body, StandardCharsets.US_ASCII));
    checkPeerVersion(session, ANNOUNCE, version);
    sessions.deliver(session, ANNOUNCE, body, null);
  }

  /**
   * A peer running a model version this party does not hold fails the session on both sides at
   * once.
   */
  private void checkPeerVersion(String session, int round, String modelVersion) {
    if (models.values().stream().noneMatch(m -> m.version().equals(modelVersion))) {
      String failure =
          "the parties hold different model versions: party "
              + (1 - party)
              + " runs "
              + modelVersion
              + ", party "
              + party
              + " holds "
              + models.values().stream().map(m -> m.name() + " " + m.version()).toList();
      sessions.deliver(session, round, null, failure);
      throw new SmpcFailure(409, failure);
    }
  }

  private void checkFrom(String from) {
    if (!Integer.toString(1 - party).equals(from)) {
      throw new SmpcFailure(
          403,
          "party "
              + party
              + " takes messages from party "
              + (1 - party)
              + " only, not from '"
              + from
              + "'");
    }
  }

  int prefetchedCount() {
    return party == 0 ? prefetch.readyCount() : prefetched.size();
  }

  /** Files the peer's message for a round after checking its tag and model version. */
  void receive(
      String session, String roundText, String from, String modelVersion, String tag, byte[] body) {
    SessionKeys.checkSession(session);
    int round;
    try {
      round = Integer.parseInt(roundText);
    } catch (NumberFormatException e) {
      round = -1;
    }
    if (round < 0 || round > 10_000) {
      throw SmpcFailure.badInput(
          "round must be a whole number from 0 to 10000, got '" + roundText + "'");
    }
    checkFrom(from);
    if (modelVersion == null
        || !peerKeys.verify(
            session, HttpPeerChannel.context(round, 1 - party, modelVersion), body, tag)) {
      throw new SmpcFailure(
          401, "message authentication failed for round " + round + " of session " + session);
    }
    if (body.length % 8 != 0) {
      throw SmpcFailure.badInput(
          "a message holds 64-bit words; " + body.length + " bytes is not a multiple of 8");
    }
    checkPeerVersion(session, round, modelVersion);
    sessions.deliver(session, round, body, null);
  }
}
