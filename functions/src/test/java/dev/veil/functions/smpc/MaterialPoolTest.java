package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.smpc.Dealer;
import dev.veil.smpc.Plan;
import dev.veil.testkit.Waits;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Material dealt ahead is handed out once: every take gets a session no other take got. */
class MaterialPoolTest {

  @Test
  void everyTakeGetsItsOwnDealtSession() {
    MaterialPool pool = new MaterialPool();
    Plan plan =
        new Plan(
            List.of(
                new Plan.Item(Plan.Kind.TRIPLE, 4, 0, 0),
                new Plan.Item(Plan.Kind.COMPARISON, 2, 0, 0)));
    byte[] planBytes = plan.toBytes();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Dealer.Dealt d = pool.take("v", planBytes, plan, new Dealer());
      assertTrue(seen.add(Arrays.toString(d.party0())), "a dealt session was handed out twice");
      assertTrue(seen.add(Arrays.toString(d.party1())), "a dealt session was handed out twice");
      if (i == 0) {
        Waits.until(
            () -> pool.readyCount() == MaterialPool.DEPTH,
            Duration.ofSeconds(10),
            "the pool to fill");
      }
    }
    assertTrue(pool.readyCount() <= MaterialPool.DEPTH);
    // a plan too large to pool is dealt in the request and leaves nothing behind
    Plan big = new Plan(List.of(new Plan.Item(Plan.Kind.COMPARISON, 700, 0, 0)));
    MaterialPool other = new MaterialPool();
    other.take("v", big.toBytes(), big, new Dealer());
    assertEquals(0, other.readyCount());
    assertFalse(seen.isEmpty());
  }
}
