package dev.veil.functions.smpc;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Session ids that have ended, remembered (the newest {@value #MAX}) so that a replay of one is
 * refused. Not thread-safe.
 */
final class UsedSessions {
  static final int MAX = 100_000;

  private final LinkedHashMap<String, Boolean> ids = new LinkedHashMap<>();

  void add(String id) {
    ids.put(id, Boolean.TRUE);
    if (ids.size() > MAX) {
      Iterator<String> oldest = ids.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  boolean contains(String id) {
    return ids.containsKey(id);
  }
}
