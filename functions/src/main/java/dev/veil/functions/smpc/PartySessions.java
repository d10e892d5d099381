package dev.veil.functions.smpc;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A compute party's live sessions and their inboxes. The peer's message for a round may arrive
 * before this party's own request for the session does; it then waits in a pending session that
 * expires after the timeout. A session id is used once: after it ends it stays remembered (bounded)
 * so that a replayed request or message is refused. All state of a session is dropped when it ends,
 * whatever the outcome.
 */
final class PartySessions {
  private static final int MAX_SESSIONS = 1024;
  private static final long MAX_PENDING_BYTES = 256L << 20;

  private final Duration timeout;
  private final Map<String, Session> live = new HashMap<>();
  private final UsedSessions ended = new UsedSessions();
  private long pendingBytes;

  PartySessions(Duration timeout) {
    this.timeout = timeout;
  }

  final class Session {
    final String id;
    final long createdNanos = System.nanoTime();
    final Map<Integer, byte[]> inbox = new HashMap<>();
    final java.util.Set<Integer> received = new java.util.HashSet<>();
    boolean started;
    String failure;

    Session(String id) {
      this.id = id;
    }

    /** The peer's message for {@code round}, waiting at most the timeout. */
    byte[] await(int round) {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (PartySessions.this) {
        while (!inbox.containsKey(round) && failure == null) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new SmpcFailure(
                504,
                "the peer party did not send "
                    + what(round)
                    + " of session "
                    + id
                    + " within "
                    + timeout.toMillis()
                    + " ms");
          }
          try {
            PartySessions.this.wait(Math.max(1, left / 1_000_000), 0);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SmpcFailure(503, "interrupted while waiting for the peer party");
          }
        }
        if (failure != null) {
          throw new SmpcFailure(409, failure);
        }
        byte[] message = inbox.remove(round);
        pendingBytes -= message.length;
        return message;
      }
    }
  }

  private static String what(int round) {
    return round == SmpcParty.ANNOUNCE ? "the announcement of its material" : "round " + round;
  }

  /** Starts a session for this party's own request; a session id is accepted once. */
  synchronized Session start(String id) {
    sweep();
    if (ended.contains(id)) {
      throw new SmpcFailure(
          409, "session " + id + " was already used; start a new session for each request");
    }
    Session s = session(id);
    if (s.started) {
      throw new SmpcFailure(409, "session " + id + " is already in progress on this party");
    }
    s.started = true;
    return s;
  }

  /** Files the peer's message for {@code round}; refuses ended sessions and replays. */
  synchronized void deliver(String id, int round, byte[] message, String failure) {
    sweep();
    if (ended.contains(id)) {
      throw new SmpcFailure(410, "session " + id + " has ended (or expired) on this party");
    }
    Session s = session(id);
    if (!s.received.add(round)) {
      throw new SmpcFailure(
          409, "replayed message: " + what(round) + " of session " + id + " was already received");
    }
    if (failure != null) {
      s.failure = failure;
    } else {
      if (pendingBytes + message.length > MAX_PENDING_BYTES) {
        throw new SmpcFailure(
            429, "this party holds too many undelivered messages; try again later");
      }
      pendingBytes += message.length;
      s.inbox.put(round, message);
    }
    notifyAll();
  }

  private Session session(String id) {
    Session s = live.get(id);
    if (s == null) {
      if (live.size() >= MAX_SESSIONS) {
        throw new SmpcFailure(
            429, "this party has " + MAX_SESSIONS + " sessions in progress; try again later");
      }
      s = new Session(id);
      live.put(id, s);
    }
    return s;
  }

  /** Ends a session: its state goes, its id is remembered as used. */
  synchronized void end(Session s) {
    live.remove(s.id);
    for (byte[] m : s.inbox.values()) {
      pendingBytes -= m.length;
    }
    s.inbox.clear();
    ended.add(s.id);
  }

  /**
   * Drops sessions whose own request never came within the timeout (messages of a peer that went on
   * alone).
   */
  private void sweep() {
    long now = System.nanoTime();
    for (Iterator<Session> it = live.values().iterator(); it.hasNext(); ) {
      Session s = it.next();
      if (!s.started && now - s.createdNanos > timeout.toNanos()) {
        for (byte[] m : s.inbox.values()) {
          pendingBytes -= m.length;
        }
        it.remove();
        ended.add(s.id);
      }
    }
  }

  /** Live sessions (started or pending), for tests and status. */
  synchronized int liveCount() {
    sweep();
    return live.size();
  }
}
