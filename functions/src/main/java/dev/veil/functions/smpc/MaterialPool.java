package dev.veil.functions.smpc;

import dev.veil.smpc.Dealer;
import dev.veil.smpc.Plan;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The crypto provider's offline phase ahead of requests: for each small computation it has served (a model
 * version and a plan whose two bundles together stay under {@value #MAX_POOLED_BYTES} bytes, e.g. one image),
 * it keeps up to {@value #DEPTH} dealt sessions ready, refilled by one background thread. A ready session
 * is handed to exactly one request and gone from the pool, so material is still used once. Larger plans (big
 * batches) are dealt inside the request.
 */
final class MaterialPool {
  static final int DEPTH = 4;
  static final int MAX_POOLED_BYTES = 1 << 20;
  private static final int MAX_KINDS = 16;

  private final Map<String, ArrayDeque<Dealer.Dealt>> ready = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Dealer.Dealt>> eldest) {
      return size() > MAX_KINDS;
    }
  };
  private final Set<String> refilling = new HashSet<>();
  private final ExecutorService dealer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "smpc-provider-dealer");
    t.setDaemon(true);
    return t;
  });

  /** A dealt session for {@code plan}: a ready one if there is, else dealt now; then the pool is topped up. */
  Dealer.Dealt take(String version, byte[] planBytes, Plan plan, Dealer fresh) {
    String key = version + "|" + java.util.Base64.getEncoder().encodeToString(planBytes);
    Dealer.Dealt dealt;
    synchronized (this) {
      ArrayDeque<Dealer.Dealt> queue = ready.get(key);
      dealt = queue == null ? null : queue.poll();
    }
    if (dealt == null) {
      dealt = fresh.deal(plan);
    }
    if ((long) dealt.party0().length + dealt.party1().length <= MAX_POOLED_BYTES) {
      refill(key, plan, fresh);
    }
    return dealt;
  }

  /** Sessions ready for this kind of computation (for tests and status). */
  synchronized int readyCount() {
    return ready.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  private void refill(String key, Plan plan, Dealer fresh) {
    synchronized (this) {
      if (!refilling.add(key)) {
        return;
      }
    }
    dealer.execute(() -> {
      try {
        while (true) {
          synchronized (this) {
            if (ready.computeIfAbsent(key, k -> new ArrayDeque<>()).size() >= DEPTH) {
              return;
            }
          }
          Dealer.Dealt d = fresh.deal(plan);
          synchronized (this) {
            ready.computeIfAbsent(key, k -> new ArrayDeque<>()).add(d);
          }
        }
      } finally {
        synchronized (this) {
          refilling.remove(key);
        }
      }
    });
  }
}
