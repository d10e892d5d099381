package dev.veil.functions.smpc;

import dev.veil.smpc.SharedMlp;
import dev.veil.smpc.WeightMasks;
import dev.veil.storage.AzureBlobStore;
import dev.veil.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a role's part of a shared model lives, in a local folder or a blob container: a compute
 * party's {@code <name>.share} (one version per model name), the crypto provider's {@code
 * <name>.<sharingId>.masks} (several versions may coexist, e.g. while parties move to a new split).
 * The model owner writes each role's file to that role's store; a role reads only its own.
 */
public interface ShareStore {

  /** Writes a file atomically (a reader sees the old or the new one). */
  void write(String name, byte[] data) throws IOException;

  /** The contents of every file whose name ends with {@code suffix}, by name. */
  java.util.Map<String, byte[]> read(String suffix) throws IOException;

  default void put(SharedMlp share) throws IOException {
    write(share.name() + ".share", bytes(share::write));
  }

  default void put(WeightMasks masks) throws IOException {
    write(masks.name() + "." + masks.sharingId() + ".masks", bytes(masks::write));
  }

  /** Every share file in the store. */
  default List<SharedMlp> all() throws IOException {
    return decodeAll(".share", SharedMlp::read);
  }

  /** Every weight-mask file in the store. */
  default List<WeightMasks> allMasks() throws IOException {
    return decodeAll(".masks", WeightMasks::read);
  }

  interface Reader<T> {
    T read(java.io.InputStream in) throws IOException;
  }

  private <T> List<T> decodeAll(String suffix, Reader<T> reader) throws IOException {
    List<T> out = new ArrayList<>();
    for (var e : read(suffix).entrySet()) {
      try {
        out.add(reader.read(new ByteArrayInputStream(e.getValue())));
      } catch (IOException ex) {
        throw new IOException(e.getKey() + ": " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  /**
   * A role's store as the app settings name it: a blob container when a connection string is set.
   */
  static ShareStore of(SmpcSettings s) {
    return s.storage() != null
        ? new Blob(s.storage(), s.container() == null ? "smpc-models" : s.container())
        : new Local(s.models());
  }

  interface Writer {
    void write(java.io.OutputStream out) throws IOException;
  }

  private static byte[] bytes(Writer writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A local folder. */
  record Local(Path dir) implements ShareStore {
    @Override
    public void write(String name, byte[] data) throws IOException {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(name + ".tmp");
      Files.write(tmp, data);
      Files.move(
          tmp,
          dir.resolve(name),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public java.util.Map<String, byte[]> read(String suffix) throws IOException {
      java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList()) {
            out.put(f.toString(), Files.readAllBytes(f));
          }
        }
      }
      return out;
    }
  }

  /** A blob container (Azure Storage or Azurite), created on first write. */
  record Blob(String connectionString, String container) implements ShareStore {
    private BlobStore connect() {
      return AzureBlobStore.connect(connectionString, AzureBlobStore.Options.DEFAULT);
    }

    @Override
    public void write(String name, byte[] data) {
      try (BlobStore store = connect()) {
        store.write(container, name, data);
      }
    }

    @Override
    public java.util.Map<String, byte[]> read(String suffix) {
      java.util.Map<String, byte[]> out = new java.util.TreeMap<>();
      try (BlobStore store = connect()) {
        String token = null;
        do {
          BlobStore.Page page = store.list(container, "", token);
          for (BlobStore.BlobInfo item : page.items()) {
            if (item.name().endsWith(suffix)) {
              out.put(container + "/" + item.name(), store.read(container, item.name()));
            }
          }
          token = page.continuation();
        } while (token != null);
      }
      return out;
    }
  }
}
