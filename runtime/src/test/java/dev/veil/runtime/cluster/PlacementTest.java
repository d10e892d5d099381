package dev.veil.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final List<String> NODES = List.of("node-a", "node-b", "node-c");
  private static final int CAPACITY = 4;

  @Test
  void everyNodeComputesTheSameOwnerWhateverItsListOrder() {
    List<String> reversed = new ArrayList<>(NODES);
    java.util.Collections.reverse(reversed);
    for (int k = 0; k < 50; k++) {
      String key = "key-" + k;
      assertEquals(
          Placement.choose(NODES, key, Map.of(), 0, CAPACITY),
          Placement.choose(reversed, key, Map.of(), 7, CAPACITY));
    }
  }

  @Test
  void onlyTheKeysOfALeavingNodeMove() {
    Map<String, Integer> owners = new HashMap<>();
    int moved = 0;
    int ownedByLeaver = 0;
    for (int k = 0; k < 300; k++) {
      String key = "key-" + k;
      String before = Placement.choose(NODES, key, Map.of(), 0, CAPACITY);
      String after = Placement.choose(List.of("node-a", "node-b"), key, Map.of(), 0, CAPACITY);
      owners.merge(before, 1, Integer::sum);
      if (before.equals("node-c")) ownedByLeaver++;
      if (!before.equals(after)) moved++;
    }
    assertEquals(ownedByLeaver, moved);
    owners.values().forEach(n -> assertNotEquals(0, n, "every node owns some keys: " + owners));
  }

  @Test
  void anOverloadedOwnerHandsTheKeyToTheNextInOrder() {
    String key = "key-1";
    List<String> order = Placement.ownerOrder(NODES, key);
    Map<String, Integer> load = Map.of(order.get(0), 10, order.get(1), 0, order.get(2), 0);
    assertEquals(order.get(1), Placement.choose(NODES, key, load, 0, CAPACITY));
  }

  @Test
  void atLowLoadAKeyStaysWithItsOwner() {
    String key = "key-2";
    List<String> order = Placement.ownerOrder(NODES, key);
    assertEquals(
        order.get(0),
        Placement.choose(NODES, key, Map.of(order.get(0), CAPACITY - 1), 0, CAPACITY),
        "an owner with an idle worker keeps its key");
    assertEquals(
        order.get(1),
        Placement.choose(NODES, key, Map.of(order.get(0), CAPACITY), 0, CAPACITY),
        "one whose workers are all busy hands it on");
  }

  @Test
  void keylessCallsGoToTheLeastLoadedAndRotateOnTies() {
    assertEquals(
        "node-b",
        Placement.choose(NODES, null, Map.of("node-a", 3, "node-b", 1, "node-c", 2), 0, CAPACITY));
    assertEquals("node-a", Placement.choose(NODES, null, Map.of(), 0, CAPACITY));
    assertEquals("node-b", Placement.choose(NODES, null, Map.of(), 1, CAPACITY));
    assertEquals("node-c", Placement.choose(NODES, null, Map.of(), 2, CAPACITY));
  }
}
