package dev.veil.functions.smpc;

import dev.veil.smpc.Dealer;
import dev.veil.smpc.Plan;

/**
 * The crypto provider's offline phase ahead of requests: for each small computation it has served
 * (a model version and a plan whose two bundles together stay under {@value #MAX_POOLED_BYTES}
 * bytes, e.g. one image), it keeps up to {@value #DEPTH} dealt sessions ready, refilled by one
 * background thread. A ready session is handed to exactly one request and gone from the pool, so
 * material is still used once. Larger plans (big batches) are dealt inside the request.
 */
final class MaterialPool {
  static final int DEPTH = 4;
  static final int MAX_POOLED_BYTES = 1 << 20;

  private final ReadyQueues<Dealer.Dealt> ready =
      new ReadyQueues<>("smpc-provider-dealer", DEPTH, Long.MAX_VALUE / 2_000_000_000L);

  /**
   * A dealt session for {@code plan}: a ready one if there is, else dealt now; then the pool is
   * topped up.
   */
  Dealer.Dealt take(String version, byte[] planBytes, Plan plan, Dealer fresh) {
    String key = version + "|" + java.util.Base64.getEncoder().encodeToString(planBytes);
    Dealer.Dealt dealt = ready.poll(key);
    if (dealt == null) {
      dealt = fresh.deal(plan);
    }
    if ((long) dealt.party0().length + dealt.party1().length <= MAX_POOLED_BYTES) {
      ready.refill(key, () -> fresh.deal(plan));
    }
    return dealt;
  }

  /** Sessions ready for this kind of computation (for tests and status). */
  int readyCount() {
    return ready.readyCount();
  }
}
