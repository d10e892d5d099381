package dev.veil.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The embedded default: a folder whose sub-folders are the containers and whose files are the blobs
 * (a name with '/' makes sub-folders), so {@code <root>/<container>/<name>} can be read and written
 * by hand too.
 *
 * <p>A new version is written to a temporary file and renamed over the old one, so readers see
 * whole versions. The ETag is derived from the file's size, modification time and identity (each
 * version is a new file). What Azure keeps beside a blob lives under {@code
 * <root>/.veil-meta/<container>/} (no container name starts with a dot): its lease ({@code
 * <name>.lease}) and a lock file ({@code <name>.lock}, created exclusively) that serializes the
 * conditional steps of writes, deletes and lease calls across threads, stores and processes sharing
 * the folder.
 */
public final class LocalBlobStore implements BlobStore {
  private static final String META = ".veil-meta";

  /** A lock file older than this was left by a process that died while holding it. */
  private static final Duration STALE_LOCK = Duration.ofSeconds(60);

  private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

  private final Path root;
  private final Path meta;
  private final Clock clock;
  private volatile boolean closed;

  public LocalBlobStore(Path root) {
    this(root, Clock.systemUTC());
  }

  /** With the clock that times leases (tests move it instead of waiting). */
  LocalBlobStore(Path root, Clock clock) {
    this.root = root.toAbsolutePath().normalize();
    this.meta = this.root.resolve(META);
    this.clock = clock;
  }

  private Path containerDir(Path base, String container) {
    if (container == null
        || container.isEmpty()
        || container.startsWith(".")
        || container.contains("/")
        || container.contains("\\")) {
      throw new IllegalArgumentException("'" + container + "' is not a container name");
    }
    return base.resolve(container);
  }

  private Path file(Path base, String container, String name, String suffix) {
    Path dir = containerDir(base, container);
    Path file = dir.resolve(name + suffix).normalize();
    if (name.isEmpty() || !file.startsWith(dir) || file.equals(dir)) {
      throw new IllegalArgumentException(
          "blob path '" + container + "/" + name + "' leaves its container");
    }
    return file;
  }

  private Path blobFile(String container, String name) {
    return file(root, container, name, "");
  }

  @Override
  public Page list(String container, String prefix, String continuation, int pageSize) {
    ensureOpen();
    int size = Math.max(1, Math.min(MAX_PAGE_SIZE, pageSize));
    String start = prefix == null ? "" : prefix;
    Path dir = containerDir(root, container);
    if (!Files.isDirectory(dir)) {
      return new Page(List.of(), null);
    }
    List<String> names;
    try (Stream<Path> files = Files.walk(dir)) {
      names =
          files
              .filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString().replace('\\', '/'))
              .filter(
                  n ->
                      n.startsWith(start)
                          && (continuation == null || n.compareTo(continuation) > 0))
              .sorted()
              .limit(size + 1L)
              .toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw unavailable("listing container " + container, e);
    }
    List<BlobInfo> items = new ArrayList<>();
    for (String name : names.subList(0, Math.min(size, names.size()))) {
      try {
        items.add(info(name, Files.readAttributes(dir.resolve(name), BasicFileAttributes.class)));
      } catch (NoSuchFileException gone) {
        // deleted between the walk and now
      } catch (IOException e) {
        throw unavailable("listing container " + container, e);
      }
    }
    return new Page(items, names.size() > size ? names.get(size - 1) : null);
  }

  @Override
  public BlobInfo properties(String container, String name) {
    ensureOpen();
    BlobInfo info = current(container, name);
    if (info == null) {
      throw new BlobNotFoundException(container, name);
    }
    return info;
  }

  @Override
  public OpenBlob open(String container, String name, Conditions conditions) {
    ensureOpen();
    Path file = blobFile(container, name);
    for (int attempt = 0; ; attempt++) {
      BlobInfo before = current(container, name);
      if (before == null) {
        throw new BlobNotFoundException(container, name);
      }
      checkEtag(conditions, before.etag(), container, name);
      InputStream stream;
      try {
        stream = Files.newInputStream(file);
      } catch (NoSuchFileException e) {
        continue; // deleted or replaced just now: look again
      } catch (IOException e) {
        throw unavailable("opening blob " + container + "/" + name, e);
      }
      // Unchanged before and after opening: the stream is that version (a replacement is a new
      // file).
      if (before.equals(current(container, name))) {
        return new OpenBlob(stream, before);
      }
      closeQuietly(stream);
      if (attempt > 100) {
        throw new StorageUnavailableException(
            "blob " + container + "/" + name + " keeps changing while opened", null);
      }
    }
  }

  @Override
  public String write(String container, String name, byte[] content, Conditions conditions) {
    ensureOpen();
    Path target = blobFile(container, name);
    Path temp = writeTemp(content);
    try {
      return locked(
          container,
          name,
          () -> {
            BlobInfo now = current(container, name);
            checkWrite(conditions, now, container, name);
            Files.createDirectories(target.getParent());
            move(temp, target);
            return properties(container, name).etag();
          });
    } finally {
      deleteQuietly(temp);
    }
  }

  @Override
  public boolean delete(String container, String name, Conditions conditions) {
    ensureOpen();
    Path target = blobFile(container, name);
    return locked(
        container,
        name,
        () -> {
          BlobInfo now = current(container, name);
          if (now == null) {
            return false;
          }
          checkWrite(conditions, now, container, name);
          Files.deleteIfExists(target);
          Files.deleteIfExists(leaseFile(container, name));
          return true;
        });
  }

  @Override
  public Optional<String> acquireLease(String container, String name, Duration duration) {
    int seconds = BlobStore.leaseSeconds(duration);
    ensureOpen();
    return locked(
        container,
        name,
        () -> {
          if (current(container, name) == null) {
            throw new BlobNotFoundException(container, name);
          }
          Lease held = readLease(container, name);
          if (held != null && held.active(clock.millis())) {
            return Optional.empty();
          }
          Lease lease =
              new Lease(UUID.randomUUID().toString(), seconds, clock.millis() + seconds * 1000L);
          writeLease(container, name, lease);
          return Optional.of(lease.id());
        });
  }

  @Override
  public void renewLease(String container, String name, String leaseId) {
    ensureOpen();
    locked(
        container,
        name,
        () -> {
          Lease held = heldLease(container, name, leaseId);
          writeLease(
              container,
              name,
              new Lease(held.id(), held.seconds(), clock.millis() + held.seconds() * 1000L));
          return null;
        });
  }

  @Override
  public void releaseLease(String container, String name, String leaseId) {
    ensureOpen();
    locked(
        container,
        name,
        () -> {
          heldLease(container, name, leaseId);
          Files.deleteIfExists(leaseFile(container, name));
          return null;
        });
  }

  @Override
  public String describe() {
    return "local folder " + root;
  }

  @Override
  public void close() {
    closed = true;
  }

  // ---- versions and conditions

  /** The blob's current version, or null when there is none. */
  private BlobInfo current(String container, String name) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(blobFile(container, name), BasicFileAttributes.class);
      return a.isRegularFile() ? info(name, a) : null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw unavailable("reading blob " + container + "/" + name, e);
    }
  }

  private static BlobInfo info(String name, BasicFileAttributes a) {
    String version =
        a.size() + "/" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "/" + a.fileKey();
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(version.getBytes(StandardCharsets.UTF_8));
      return new BlobInfo(
          name, "\"0x" + HexFormat.of().withUpperCase().formatHex(digest, 0, 8) + "\"", a.size());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  private static void checkEtag(Conditions c, String etag, String container, String name) {
    String what = "blob " + container + "/" + name;
    if (c.ifMatch() != null
        && (etag == null || !(c.ifMatch().equals("*") || c.ifMatch().equals(etag)))) {
      throw new BlobConflictException(
          BlobConflictException.Reason.ETAG_MISMATCH,
          what + (etag == null ? " does not exist" : " has ETag " + etag) + ", not " + c.ifMatch());
    }
    if (c.ifNoneMatch() != null && etag != null) {
      if (c.ifNoneMatch().equals("*")) {
        throw new BlobConflictException(
            BlobConflictException.Reason.ALREADY_EXISTS, what + " already exists");
      }
      if (c.ifNoneMatch().equals(etag)) {
        throw new BlobConflictException(
            BlobConflictException.Reason.ETAG_MISMATCH, what + " still has ETag " + etag);
      }
    }
  }

  /**
   * Writes and deletes: the ETag conditions, and a held lease must be named (as Azure answers 412).
   */
  private void checkWrite(Conditions c, BlobInfo now, String container, String name)
      throws IOException {
    checkEtag(c, now == null ? null : now.etag(), container, name);
    Lease lease = now == null ? null : readLease(container, name);
    boolean active = lease != null && lease.active(clock.millis());
    String what = "blob " + container + "/" + name;
    if (active && !lease.id().equals(c.leaseId())) {
      throw new BlobConflictException(
          BlobConflictException.Reason.LEASE,
          what
              + " is leased"
              + (c.leaseId() == null ? " and the call names no lease" : " under another lease id"));
    }
    if (!active && c.leaseId() != null) {
      throw new BlobConflictException(
          BlobConflictException.Reason.LEASE, what + " has no active lease");
    }
    if (lease != null && !active) {
      Files.deleteIfExists(
          leaseFile(container, name)); // written over: an expired lease can no longer be renewed
    }
  }

  // ---- leases

  private record Lease(String id, int seconds, long expiresAtMillis) {
    boolean active(long nowMillis) {
      return nowMillis < expiresAtMillis;
    }
  }

  private Path leaseFile(String container, String name) {
    return file(meta, container, name, ".lease");
  }

  private Lease heldLease(String container, String name, String leaseId) throws IOException {
    if (current(container, name) == null) {
      throw new BlobNotFoundException(container, name);
    }
    Lease held = readLease(container, name);
    if (held == null || !held.id().equals(leaseId)) {
      throw new BlobConflictException(
          BlobConflictException.Reason.LEASE,
          "the lease "
              + leaseId
              + " on blob "
              + container
              + "/"
              + name
              + " is not held (released, or taken by another after it expired)");
    }
    return held;
  }

  private Lease readLease(String container, String name) throws IOException {
    try {
      String[] f =
          Files.readString(leaseFile(container, name), StandardCharsets.UTF_8).trim().split(" ");
      return new Lease(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]));
    } catch (NoSuchFileException e) {
      return null;
    } catch (RuntimeException e) {
      return null; // unreadable: as if none (it was written by rename, so this is not a torn write)
    }
  }

  private void writeLease(String container, String name, Lease lease) throws IOException {
    Path file = leaseFile(container, name);
    Files.createDirectories(file.getParent());
    Path temp =
        writeTemp(
            (lease.id() + " " + lease.seconds() + " " + lease.expiresAtMillis())
                .getBytes(StandardCharsets.UTF_8));
    try {
      move(temp, file);
    } finally {
      deleteQuietly(temp);
    }
  }

  // ---- files

  private interface Step<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code step} holding the blob's lock file (created exclusively, so it excludes other
   * processes too).
   */
  private <T> T locked(String container, String name, Step<T> step) {
    Path lock = file(meta, container, name, ".lock");
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    try {
      Files.createDirectories(lock.getParent());
      while (true) {
        try {
          Files.createFile(lock);
          break;
        } catch (FileAlreadyExistsException held) {
          breakIfStale(lock);
          if (System.nanoTime() > deadline) {
            throw new StorageUnavailableException(
                "blob "
                    + container
                    + "/"
                    + name
                    + " stayed locked for "
                    + LOCK_WAIT.toSeconds()
                    + " s ("
                    + lock
                    + ")",
                null);
          }
          Thread.sleep(1);
        }
      }
    } catch (IOException e) {
      throw unavailable("locking blob " + container + "/" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException(
          "interrupted while waiting for blob " + container + "/" + name, e);
    }
    try {
      return step.run();
    } catch (IOException e) {
      throw unavailable("writing blob " + container + "/" + name, e);
    } finally {
      deleteQuietly(lock);
    }
  }

  private void breakIfStale(Path lock) {
    try {
      if (Files.getLastModifiedTime(lock).toMillis()
          < System.currentTimeMillis() - STALE_LOCK.toMillis()) {
        // renamed away first, so of two processes breaking it only one succeeds
        Path broken = lock.resolveSibling(lock.getFileName() + "." + UUID.randomUUID() + ".stale");
        Files.move(lock, broken, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(broken);
      }
    } catch (IOException gone) {
      // released (or broken by another) meanwhile: try again
    }
  }

  /**
   * The content in a new file under the meta folder, on the same file system as the blobs so a
   * rename is atomic.
   */
  private Path writeTemp(byte[] content) {
    try {
      Path tmp = meta.resolve("tmp");
      Files.createDirectories(tmp);
      Path temp = tmp.resolve(UUID.randomUUID().toString());
      Files.write(temp, content);
      return temp;
    } catch (IOException e) {
      throw unavailable("writing under " + meta, e);
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover temporary file only takes space
    }
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // nothing was read from it
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(describe() + " is closed");
    }
  }

  private StorageUnavailableException unavailable(String what, Exception e) {
    return new StorageUnavailableException(what + " in " + describe() + " failed: " + e, e);
  }
}
