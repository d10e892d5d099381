package dev.veil.functions.smpc;

import dev.veil.smpc.Dealer;
import dev.veil.smpc.Plan;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The crypto provider's sessions: the first party to ask deals the session's material (for the plan it names)
 * and takes its bundle; the other bundle waits, for at most the timeout, for the other party, which must name
 * the same plan. Each bundle is handed out once; afterwards the provider keeps nothing but the used id.
 */
final class ProviderSessions {
  private static final int MAX_PENDING = 256;

  private record Pending(byte[] plan, int waitingParty, byte[] bundle, long createdNanos) {}

  private final Duration timeout;
  private final Map<String, Pending> pending = new HashMap<>();
  private final UsedSessions ended = new UsedSessions();

  ProviderSessions(Duration timeout) {
    this.timeout = timeout;
  }

  /** Party {@code party}'s bundle for {@code session}. Dealing happens outside the lock. */
  byte[] take(String session, int party, byte[] planBytes, Plan plan) {
    synchronized (this) {
      sweep();
      if (ended.contains(session)) {
        throw new SmpcFailure(409, "the material of session " + session + " was already handed out");
      }
      Pending p = pending.get(session);
      if (p != null) {
        if (p.waitingParty() != party) {
          throw new SmpcFailure(409, "party " + party + " already took its material for session " + session);
        }
        pending.remove(session);
        ended.add(session);
        if (!Arrays.equals(p.plan(), planBytes)) {
          throw new SmpcFailure(409, "party " + party + " asked for a different computation than its peer in session "
              + session + " (do the parties hold the same model version?)");
        }
        return p.bundle();
      }
      if (pending.size() >= MAX_PENDING) {
        throw new SmpcFailure(429, "the provider has " + MAX_PENDING + " sessions waiting for their second party");
      }
    }
    Dealer.Dealt dealt = new Dealer().deal(plan);
    synchronized (this) {
      if (pending.containsKey(session) || ended.contains(session)) {
        throw new SmpcFailure(409, "session " + session + " was asked for twice by party " + party);
      }
      pending.put(session, new Pending(planBytes, 1 - party, party == 0 ? dealt.party1() : dealt.party0(), System.nanoTime()));
    }
    return party == 0 ? dealt.party0() : dealt.party1();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Pending> e = it.next();
      if (now - e.getValue().createdNanos() > timeout.toNanos()) {
        it.remove();
        ended.add(e.getKey());
      }
    }
  }

  synchronized int pendingCount() {
    sweep();
    return pending.size();
  }
}
