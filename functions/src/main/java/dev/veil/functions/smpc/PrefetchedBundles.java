package dev.veil.functions.smpc;

import dev.veil.smpc.Material;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Party 1's half of the prefetch: material it fetched from the provider when party 0 named a
 * pre-dealt session ({@link SmpcParty}'s prefetch), kept until a request's announcement names that
 * session, then handed out once. Bounded in count; entries older than {@value #MAX_AGE_SECONDS} s
 * are dropped.
 */
final class PrefetchedBundles {
  static final int MAX_ENTRIES = 16 * SmpcParty.PREFETCH_DEPTH;
  static final long MAX_AGE_SECONDS = 2 * SmpcParty.PREFETCH_MAX_AGE_SECONDS;

  private record Entry(String version, Material material, long fetchedNanos) {}

  private final Map<String, Entry> byId = new LinkedHashMap<>();

  /** Keeps {@code material} for pre-dealt session {@code id}. */
  synchronized void put(String id, String version, Material material) {
    sweep();
    if (byId.size() >= MAX_ENTRIES) {
      throw new SmpcFailure(429, "party 1 already holds " + MAX_ENTRIES + " prefetched sessions");
    }
    if (byId.putIfAbsent(id, new Entry(version, material, System.nanoTime())) != null) {
      throw new SmpcFailure(409, "session " + id + " was already prefetched");
    }
  }

  /**
   * The material of pre-dealt session {@code id} for model {@code version}, once; null when it is
   * not here.
   */
  synchronized Material take(String id, String version) {
    sweep();
    Entry e = byId.remove(id);
    if (e == null) {
      return null;
    }
    if (!e.version().equals(version)) {
      throw new SmpcFailure(
          409,
          "the parties hold different model versions: prefetched session "
              + id
              + " was dealt for "
              + e.version()
              + ", this request runs "
              + version);
    }
    return e.material();
  }

  synchronized int size() {
    sweep();
    return byId.size();
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Iterator<Entry> it = byId.values().iterator(); it.hasNext(); ) {
      if (now - it.next().fetchedNanos() > MAX_AGE_SECONDS * 1_000_000_000L) {
        it.remove();
      }
    }
  }
}
