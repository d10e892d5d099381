package dev.veil.functions.smpc;

import dev.veil.smpc.Plan;
import java.io.IOException;

/** The crypto provider: deals each session's correlated randomness to the two compute parties, once each. */
final class SmpcProvider {
  private static volatile SmpcProvider instance;

  private final SessionKeys keys;
  private final ProviderSessions sessions;

  SmpcProvider(SmpcSettings settings) {
    this.keys = new SessionKeys(settings.secret());
    this.sessions = new ProviderSessions(settings.timeout());
  }

  static SmpcProvider get() {
    SmpcProvider p = instance;
    if (p == null) {
      synchronized (SmpcProvider.class) {
        p = instance;
        if (p == null) {
          SmpcSettings s = SmpcSettings.fromEnvironment();
          if (!"provider".equals(s.role())) {
            throw new SmpcFailure(404, "this host is not the SMPC crypto provider (" + SmpcSettings.ROLE + " is "
                + (s.role() == null ? "unset" : s.role()) + ")");
          }
          p = new SmpcProvider(s);
          instance = p;
        }
      }
    }
    return p;
  }

  static String context(int party) {
    return "material|" + party;
  }

  ProviderSessions sessions() {
    return sessions;
  }

  byte[] material(String session, String partyText, String tag, byte[] planBytes) {
    SessionKeys.checkSession(session);
    if (!"0".equals(partyText) && !"1".equals(partyText)) {
      throw new IllegalArgumentException("party must be 0 or 1, got '" + partyText + "'");
    }
    int party = Integer.parseInt(partyText);
    if (!keys.verify(session, context(party), planBytes, tag)) {
      throw new SmpcFailure(401, "message authentication failed for party " + party + "'s material request in session " + session);
    }
    Plan plan;
    try {
      plan = Plan.fromBytes(planBytes).checkBounds();
    } catch (IOException e) {
      throw new IllegalArgumentException("the plan is malformed: " + e.getMessage());
    }
    return sessions.take(session, party, planBytes, plan);
  }
}
