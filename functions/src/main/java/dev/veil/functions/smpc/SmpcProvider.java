package dev.veil.functions.smpc;

import dev.veil.runtime.spi.HostScope;
import dev.veil.smpc.Dealer;
import dev.veil.smpc.Plan;
import dev.veil.smpc.WeightMasks;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The crypto provider: deals each session's correlated randomness to the two compute parties, once
 * each.
 */
final class SmpcProvider {

  /** The keys of the links to party 0 and party 1. */
  private final SessionKeys[] keys;

  private final ProviderSessions sessions;
  private final Map<String, WeightMasks> masks = new ConcurrentHashMap<>();
  private final Map<String, long[][]> expanded = new ConcurrentHashMap<>();

  SmpcProvider(SmpcSettings settings, List<WeightMasks> masks) {
    this.keys =
        new SessionKeys[] {
          settings.keys(SessionKeys.PARTY0_PROVIDER), settings.keys(SessionKeys.PARTY1_PROVIDER)
        };
    this.sessions = new ProviderSessions(settings.timeout());
    for (WeightMasks m : masks) {
      this.masks.put(m.version(), m);
    }
  }

  /** The host's crypto provider, configured from its app settings on first use. */
  static SmpcProvider of(HostScope scope) {
    return scope.shared(
        SmpcProvider.class,
        x -> {
          SmpcSettings s = SmpcSettings.of(scope);
          if (!"provider".equals(s.role())) {
            throw new SmpcFailure(
                404,
                "this host is not the SMPC crypto provider ("
                    + SmpcSettings.ROLE
                    + " is "
                    + (s.role() == null ? "unset" : s.role())
                    + ")");
          }
          try {
            return new SmpcProvider(s, ShareStore.of(s).allMasks());
          } catch (IOException e) {
            throw new IllegalStateException(
                "cannot read the provider's weight masks: " + e.getMessage(), e);
          }
        });
  }

  static String context(int party, String modelVersion) {
    return "material|" + party + "|" + modelVersion;
  }

  /** What the tag on a bundle going back to party {@code party} covers besides the bundle. */
  static String bundleContext(int party, String modelVersion) {
    return "bundle|" + party + "|" + modelVersion;
  }

  /** A party's bundle and its tag (on the link to that party). */
  record Bundle(byte[] bytes, String mac) {}

  ProviderSessions sessions() {
    return sessions;
  }

  /** A dealer for one model version's inferences (masks expanded once per version). */
  private Dealer dealer(String version) {
    WeightMasks m = masks.get(version);
    if (m == null) {
      throw new SmpcFailure(
          409,
          "the crypto provider holds no weight masks for model version "
              + version
              + " (it holds "
              + masks.values().stream().map(w -> w.name() + " " + w.version()).sorted().toList()
              + "); give it the .masks file that veil smpc share-model wrote with the parties' shares");
    }
    long[][] b = expanded.computeIfAbsent(version, v -> m.expand());
    return new Dealer(l -> l >= 0 && l < b.length ? b[l] : null);
  }

  Bundle material(
      String session, String partyText, String modelVersion, String tag, byte[] planBytes) {
    SessionKeys.checkSession(session);
    if (!"0".equals(partyText) && !"1".equals(partyText)) {
      throw SmpcFailure.badInput("party must be 0 or 1, got '" + partyText + "'");
    }
    int party = Integer.parseInt(partyText);
    if (modelVersion == null
        || !keys[party].verify(session, context(party, modelVersion), planBytes, tag)) {
      throw new SmpcFailure(
          401,
          "message authentication failed for party "
              + party
              + "'s material request in session "
              + session);
    }
    Plan plan;
    try {
      plan = Plan.fromBytes(planBytes).checkBounds();
    } catch (IOException e) {
      throw SmpcFailure.badInput("the plan is malformed: " + e.getMessage());
    }
    Dealer dealer = dealer(modelVersion);
    try {
      byte[] bundle = sessions.take(session, party, modelVersion, planBytes, plan, dealer);
      return new Bundle(
          bundle, keys[party].mac(session, bundleContext(party, modelVersion), bundle));
    } catch (IllegalArgumentException e) {
      throw new SmpcFailure(
          409, "the plan does not fit model version " + modelVersion + ": " + e.getMessage());
    }
  }
}
