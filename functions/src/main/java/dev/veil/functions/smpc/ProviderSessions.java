package dev.veil.functions.smpc;

import dev.veil.smpc.Dealer;
import dev.veil.smpc.Plan;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The crypto provider's sessions: the first party to ask deals the session's material (for the plan
 * it names) and takes its bundle; the other bundle waits, for at most the timeout, for the other
 * party, which must name the same plan. Each bundle is handed out once; afterwards the provider
 * keeps nothing but the used id. Dealing itself mostly happens ahead of requests ({@link
 * MaterialPool}).
 */
final class ProviderSessions {
  private static final int MAX_PENDING = 256;

  /** A session one party has asked for; the dealing may still be under way. */
  private record Pending(
      byte[] plan,
      String version,
      int firstParty,
      CompletableFuture<Dealer.Dealt> dealt,
      long createdNanos) {}

  private final Duration timeout;
  private final Map<String, Pending> pending = new HashMap<>();
  private final MaterialPool pool = new MaterialPool();
  private final UsedSessions ended = new UsedSessions();

  ProviderSessions(Duration timeout) {
    this.timeout = timeout;
  }

  /** Party {@code party}'s bundle for {@code session}. Dealing happens outside the lock. */
  byte[] take(
      String session, int party, String version, byte[] planBytes, Plan plan, Dealer dealer) {
    Pending p;
    boolean first;
    synchronized (this) {
      sweep();
      if (ended.contains(session)) {
        throw new SmpcFailure(
            409, "the material of session " + session + " was already handed out");
      }
      p = pending.get(session);
      first = p == null;
      if (first) {
        if (pending.size() >= MAX_PENDING) {
          throw new SmpcFailure(
              429, "the provider has " + MAX_PENDING + " sessions waiting for their second party");
        }
        p = new Pending(planBytes, version, party, new CompletableFuture<>(), System.nanoTime());
        pending.put(session, p);
      } else {
        if (p.firstParty() == party) {
          throw new SmpcFailure(
              409, "party " + party + " already took its material for session " + session);
        }
        pending.remove(session);
        ended.add(session);
        if (!p.version().equals(version)) {
          throw new SmpcFailure(
              409,
              "the parties hold different model versions in session "
                  + session
                  + ": party "
                  + p.firstParty()
                  + " runs "
                  + p.version()
                  + ", party "
                  + party
                  + " runs "
                  + version);
        }
        if (!Arrays.equals(p.plan(), planBytes)) {
          throw new SmpcFailure(
              409,
              "party "
                  + party
                  + " asked for a different computation than its peer in session "
                  + session
                  + " (do the parties hold the same model version?)");
        }
      }
    }
    if (first) {
      try {
        p.dealt().complete(pool.take(version, planBytes, plan, dealer));
      } catch (RuntimeException e) {
        p.dealt().completeExceptionally(e);
        throw e;
      }
    }
    Dealer.Dealt dealt;
    try {
      dealt = p.dealt().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new SmpcFailure(
          504, "dealing session " + session + " took longer than " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new SmpcFailure(
          500, "dealing session " + session + " failed: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmpcFailure(503, "interrupted while dealing");
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

  int readyCount() {
    return pool.readyCount();
  }

  synchronized int pendingCount() {
    sweep();
    return pending.size();
  }
}
