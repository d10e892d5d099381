package dev.veil.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on a local folder, plus what only the folder has: paths, lock files, sharing one
 * folder.
 */
class LocalBlobStoreTest extends BlobStoreContract {
  @TempDir static Path dir;
  private static final MovableClock CLOCK = new MovableClock();
  private static LocalBlobStore store;

  /** A clock the test moves instead of waiting for leases to expire. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Override
  BlobStore store() {
    if (store == null) {
      store = new LocalBlobStore(dir.resolve("blobs"), CLOCK);
    }
    return store;
  }

  @Override
  void passTime(Duration time) {
    CLOCK.advance(time);
  }

  @Test
  void blobsArePlainFilesUnderTheirContainer() throws Exception {
    String c = newContainer();
    store().write(c, "a/b.txt", bytes("plain"));
    assertArrayEquals(
        bytes("plain"), Files.readAllBytes(dir.resolve("blobs").resolve(c).resolve("a/b.txt")));
    Files.write(dir.resolve("blobs").resolve(c).resolve("by-hand.txt"), bytes("x"));
    assertEquals(
        2, store().list(c, "", null).items().size(), "files written by hand are blobs too");
  }

  @Test
  void pathsStayInsideTheirContainer() {
    for (String[] bad :
        new String[][] {
          {"..", "x"}, {".veil-meta", "x"}, {"c", "../other/x"}, {"c", ""}, {"a/b", "x"}
        }) {
      assertThrows(
          IllegalArgumentException.class,
          () -> store().write(bad[0], bad[1], bytes("x")),
          bad[0] + "/" + bad[1]);
    }
  }

  @Test
  void leavesNoLockOrTemporaryFilesBehind() throws Exception {
    String c = newContainer();
    race(4, i -> store().write(c, "same", bytes("v" + i)));
    String id = store().acquireLease(c, "same", Duration.ofSeconds(15)).orElseThrow();
    store().releaseLease(c, "same", id);
    for (Path meta :
        new Path[] {
          dir.resolve("blobs/.veil-meta").resolve(c), dir.resolve("blobs/.veil-meta/tmp")
        }) {
      try (Stream<Path> left = Files.walk(meta)) {
        assertEquals(0, left.filter(Files::isRegularFile).count(), meta.toString());
      }
    }
  }

  @Test
  void aLockLeftByADeadProcessIsBroken() throws Exception {
    String c = newContainer();
    store().write(c, "b", bytes("1"));
    Path lock = dir.resolve("blobs/.veil-meta").resolve(c).resolve("b.lock");
    Files.createFile(lock);
    Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
    store().write(c, "b", bytes("2"));
    assertArrayEquals(bytes("2"), store().read(c, "b"));
  }

  @Test
  void storesSharingAFolderShareLeases() {
    String c = newContainer();
    store().write(c, "lock", new byte[0]);
    try (LocalBlobStore other = new LocalBlobStore(dir.resolve("blobs"), CLOCK)) {
      String id = other.acquireLease(c, "lock", Duration.ofSeconds(20)).orElseThrow();
      assertEquals(Optional.empty(), store().acquireLease(c, "lock", Duration.ofSeconds(20)));
      other.releaseLease(c, "lock", id);
      assertTrue(store().acquireLease(c, "lock", Duration.ofSeconds(20)).isPresent());
    }
  }

  @Test
  void aClosedStoreRefusesCalls() {
    LocalBlobStore closed = new LocalBlobStore(dir.resolve("closed"));
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.write("c", "b", bytes("x")));
  }
}
