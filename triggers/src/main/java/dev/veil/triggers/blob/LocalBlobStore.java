package dev.veil.triggers.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The embedded default: each container is a directory under a root, each blob a file (names with '/' are
 * sub-directories). The ETag is derived from size and modification time. Writes land atomically (temp file
 * + rename) so a scan never sees half a blob.
 */
final class LocalBlobStore implements BlobStore {
  private static final int PAGE_SIZE = 5000;
  private static final String TEMP_SUFFIX = ".veil-partial";

  private final Path root;

  LocalBlobStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  private Path file(String container, String name) {
    Path dir = root.resolve(container).normalize();
    Path file = dir.resolve(name).normalize();
    if (!dir.startsWith(root) || !file.startsWith(dir) || container.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException("blob path '" + container + "/" + name + "' leaves the storage root");
    }
    return file;
  }

  @Override
  public Page list(String container, String prefix, String continuation) {
    Path dir = root.resolve(container);
    if (!Files.isDirectory(dir)) {
      return new Page(List.of(), null);
    }
    List<String> names;
    try (Stream<Path> files = Files.walk(dir)) {
      names = files.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .filter(n -> n.startsWith(prefix) && !n.endsWith(TEMP_SUFFIX))
          .filter(n -> continuation == null || n.compareTo(continuation) > 0)
          .sorted()
          .limit(PAGE_SIZE + 1L)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir + " failed", e);
    }
    List<Item> items = new ArrayList<>();
    for (String name : names.subList(0, Math.min(PAGE_SIZE, names.size()))) {
      try {
        BasicFileAttributes a = Files.readAttributes(dir.resolve(name), BasicFileAttributes.class);
        items.add(new Item(name, "\"" + a.size() + "-" + a.lastModifiedTime().toMillis() + "\"", a.size()));
      } catch (NoSuchFileException gone) {
        // deleted between the walk and now
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String next = names.size() > PAGE_SIZE ? names.get(PAGE_SIZE - 1) : null;
    return new Page(items, next);
  }

  @Override
  public InputStream open(String container, String name) {
    try {
      return Files.newInputStream(file(container, name));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void write(String container, String name, byte[] content) {
    Path target = file(container, name);
    try {
      Files.createDirectories(target.getParent());
      Path temp = target.resolveSibling(target.getFileName() + "." + Thread.currentThread().getId() + TEMP_SUFFIX);
      Files.write(temp, content);
      try {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target + " failed", e);
    }
  }

  @Override
  public String describe() {
    return "local directory " + root;
  }
}
