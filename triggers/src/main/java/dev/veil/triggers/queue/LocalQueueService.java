package dev.veil.triggers.queue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The embedded queue used when no storage is configured: one file per message under {@code
 * <dir>/<queue>/}, so messages survive a restart; who holds a message (visibility, pop receipt) is
 * kept in memory only, so after a restart every message is visible again (at least once). Messages
 * expire after 7 days as in Azure; a queue holds at most {@link #MAX_MESSAGES}.
 */
final class LocalQueueService implements QueueService {
  static final int MAX_MESSAGES = 100_000;
  private static final Duration TIME_TO_LIVE = Duration.ofDays(7);

  /**
   * Azure's queue name rule: 3-63 lowercase letters, digits and single dashes, starting and ending
   * alphanumeric.
   */
  private static final Pattern NAME = Pattern.compile("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]");

  private final Path root;
  private final Map<String, LocalQueue> queues = new HashMap<>();

  LocalQueueService(Path root) {
    this.root = root;
  }

  private static final class Entry {
    final String id;
    final Path file;
    final String text;
    final Instant inserted;
    final Instant expires;
    long dequeueCount;
    Instant visibleAt = Instant.EPOCH;
    String popReceipt;

    Entry(String id, Path file, String text, Instant inserted, Instant expires, long dequeueCount) {
      this.id = id;
      this.file = file;
      this.text = text;
      this.inserted = inserted;
      this.expires = expires;
      this.dequeueCount = dequeueCount;
    }
  }

  private static final class LocalQueue {
    final Map<String, Entry> messages = new LinkedHashMap<>(); // in insertion order
  }

  private synchronized LocalQueue queue(String name, boolean create) {
    LocalQueue q = queues.get(name);
    if (q != null) return q;
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "queue name '" + name + "' is invalid: 3-63 lowercase letters, digits and dashes");
    }
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir) && !create) return null;
    q = new LocalQueue();
    try {
      Files.createDirectories(dir);
      List<Entry> loaded = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
          JsonObject j = new JsonObject(Files.readString(f));
          loaded.add(
              new Entry(
                  j.getString("id"),
                  f,
                  j.getString("text"),
                  Instant.parse(j.getString("inserted")),
                  Instant.parse(j.getString("expires")),
                  j.getLong("dequeueCount", 0L)));
        }
      }
      loaded.sort(
          (a, b) -> a.file.getFileName().toString().compareTo(b.file.getFileName().toString()));
      for (Entry e : loaded) q.messages.put(e.id, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading local queue " + dir + " failed", e);
    }
    queues.put(name, q);
    return q;
  }

  @Override
  public void create(String queue) {
    queue(queue, true);
  }

  @Override
  public synchronized List<Message> receive(String queue, int max, Duration visibility) {
    LocalQueue q = queue(queue, false);
    List<Message> out = new ArrayList<>();
    if (q == null) return out;
    Instant now = Instant.now();
    var it = q.messages.values().iterator();
    while (it.hasNext() && out.size() < max) {
      Entry e = it.next();
      if (e.expires.isBefore(now)) {
        it.remove();
        deleteFile(e);
        continue;
      }
      if (e.visibleAt.isAfter(now)) continue;
      e.dequeueCount++;
      e.visibleAt = now.plus(visibility);
      e.popReceipt = UUID.randomUUID().toString();
      save(
          e); // the dequeue count must survive a restart, or a poison message would never reach the
      // limit
      out.add(
          new Message(
              e.id, e.popReceipt, e.dequeueCount, e.inserted, e.expires, e.visibleAt, e.text));
    }
    return out;
  }

  @Override
  public synchronized boolean delete(String queue, String id, String popReceipt) {
    LocalQueue q = queue(queue, false);
    Entry e = q == null ? null : q.messages.get(id);
    if (e == null || !popReceipt.equals(e.popReceipt)) return false;
    q.messages.remove(id);
    deleteFile(e);
    return true;
  }

  @Override
  public synchronized String hide(String queue, String id, String popReceipt, Duration visibility) {
    LocalQueue q = queue(queue, false);
    Entry e = q == null ? null : q.messages.get(id);
    if (e == null || !popReceipt.equals(e.popReceipt)) return null;
    e.visibleAt = Instant.now().plus(visibility);
    e.popReceipt = UUID.randomUUID().toString();
    return e.popReceipt;
  }

  @Override
  public synchronized void send(String queue, String text) {
    LocalQueue q = queue(queue, true);
    if (q.messages.size() >= MAX_MESSAGES) {
      throw new IllegalStateException(
          "local queue " + queue + " is full (" + MAX_MESSAGES + " messages)");
    }
    Instant now = Instant.now();
    String id = UUID.randomUUID().toString();
    // file names sort in insertion order
    Path file =
        root.resolve(queue)
            .resolve(String.format("%020d-%s.json", System.nanoTime() - NANO_BASE, id));
    Entry e = new Entry(id, file, text, now, now.plus(TIME_TO_LIVE), 0);
    save(e);
    q.messages.put(id, e);
  }

  /**
   * Makes nanoTime-based names sort after those of earlier runs: wall-clock nanos at class load
   * minus nanoTime.
   */
  private static final long NANO_BASE =
      System.nanoTime()
          - (Instant.now().getEpochSecond() * 1_000_000_000L + Instant.now().getNano());

  private static void save(Entry e) {
    JsonObject j =
        new JsonObject()
            .put("id", e.id)
            .put("text", e.text)
            .put("inserted", e.inserted.toString())
            .put("expires", e.expires.toString())
            .put("dequeueCount", e.dequeueCount);
    try {
      Path tmp = e.file.resolveSibling(e.file.getFileName() + ".tmp");
      Files.writeString(tmp, j.encode(), StandardCharsets.UTF_8);
      Files.move(tmp, e.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException x) {
      throw new UncheckedIOException("writing local queue message " + e.file + " failed", x);
    }
  }

  private static void deleteFile(Entry e) {
    try {
      Files.deleteIfExists(e.file);
    } catch (IOException x) {
      throw new UncheckedIOException("deleting local queue message " + e.file + " failed", x);
    }
  }

  @Override
  public String describe() {
    return "local queue directory " + root;
  }
}
