package dev.veil.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses the node for an invocation. With a key (an encrypted function's {@code key_id}):
 * rendezvous (highest-random-weight) hashing over the live candidates, so every node computes the
 * same owner and only the keys of a leaving node move; bounded load: the owner is skipped while it
 * carries more than {@code LOAD_FACTOR} times the average in-flight count and more than its worker
 * threads can run at once, and the next node in the key's order takes it. The capacity floor keeps
 * a key with an owner that still has idle workers: there the request would not wait, while moving
 * it costs the next node a second download of the key bundle (and the gossiped load figures, up to
 * a period old, are noisiest at low load). Without a key: the least loaded candidate.
 */
final class Placement {
  static final double LOAD_FACTOR = 1.25;

  private Placement() {}

  /**
   * @param candidates node ids that host the function (never empty)
   * @param load in-flight invocations per node as this node sees them (missing = 0)
   * @param rotation a counter that spreads keyless calls among equally loaded nodes
   * @param capacity invocations a node runs at once (its worker threads); a keyed owner below it
   *     keeps its key
   */
  static String choose(
      List<String> candidates, String key, Map<String, Integer> load, int rotation, int capacity) {
    if (key == null) { // least loaded; ties go round-robin so idle nodes share the work
      String best = null;
      for (int i = 0; i < candidates.size(); i++) {
        String n = candidates.get(Math.floorMod(rotation + i, candidates.size()));
        if (best == null || load.getOrDefault(n, 0) < load.getOrDefault(best, 0)) best = n;
      }
      return best;
    }
    List<String> order = ownerOrder(candidates, key);
    int total = 1;
    for (String n : candidates) total += load.getOrDefault(n, 0);
    double bound = Math.max(capacity, Math.ceil(LOAD_FACTOR * total / candidates.size()));
    for (String n : order) {
      if (load.getOrDefault(n, 0) + 1 <= bound) return n;
    }
    return order.get(0);
  }

  /** The candidates in the key's preference order (the first is the key's owner). */
  static List<String> ownerOrder(List<String> candidates, String key) {
    return candidates.stream()
        .sorted(
            Comparator.comparingLong((String n) -> score(n, key))
                .reversed()
                .thenComparing(Comparator.naturalOrder()))
        .toList();
  }

  /**
   * FNV-1a over node and key, finished with the SplitMix64 mixer so that nearby inputs spread
   * evenly.
   */
  private static long score(String node, String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : (node + '\0' + key).getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
