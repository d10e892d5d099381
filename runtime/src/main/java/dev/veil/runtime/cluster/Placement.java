package dev.veil.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses the node for an invocation. With a key (an encrypted function's {@code key_id}): rendezvous
 * (highest-random-weight) hashing over the live candidates, so every node computes the same owner and only
 * the keys of a leaving node move; bounded load: the owner is skipped while it carries more than
 * {@code LOAD_FACTOR} times the average in-flight count (and at least {@code MIN_BOUND}), and the next node
 * in the key's order takes it. The floor keeps a key with its owner at low load, where one request already
 * in flight is no overload and the load figures (gossiped, up to a period old) are at their noisiest; a
 * second download of an encrypted function's key bundle costs more than waiting for one evaluation.
 * Without a key: the least loaded candidate.
 */
final class Placement {
  static final double LOAD_FACTOR = 1.25;
  static final int MIN_BOUND = 2;

  private Placement() {}

  /**
   * @param candidates node ids that host the function (never empty)
   * @param load in-flight invocations per node as this node sees them (missing = 0)
   * @param rotation a counter that spreads keyless calls among equally loaded nodes
   */
  static String choose(List<String> candidates, String key, Map<String, Integer> load, int rotation) {
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
    double bound = Math.max(MIN_BOUND, Math.ceil(LOAD_FACTOR * total / candidates.size()));
    for (String n : order) {
      if (load.getOrDefault(n, 0) + 1 <= bound) return n;
    }
    return order.get(0);
  }

  /** The candidates in the key's preference order (the first is the key's owner). */
  static List<String> ownerOrder(List<String> candidates, String key) {
    return candidates.stream().sorted(Comparator.comparingLong((String n) -> score(n, key)).reversed()
        .thenComparing(Comparator.naturalOrder())).toList();
  }

  /** FNV-1a over node and key, finished with the SplitMix64 mixer so that nearby inputs spread evenly. */
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
