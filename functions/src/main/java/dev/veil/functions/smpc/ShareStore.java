package dev.veil.functions.smpc;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import dev.veil.smpc.SharedMlp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a party's model shares live: {@code <name>.share} files in a local folder or in a blob container. The
 * model owner writes each party's file to that party's store; a party reads only its own.
 */
public interface ShareStore {

  void put(SharedMlp share) throws IOException;

  /** Every share file in the store. */
  List<SharedMlp> all() throws IOException;

  static String fileName(SharedMlp share) {
    return share.name() + ".share";
  }

  static byte[] bytes(SharedMlp share) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      share.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A local folder. */
  record Local(Path dir) implements ShareStore {
    @Override
    public void put(SharedMlp share) throws IOException {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(fileName(share) + ".tmp");
      Files.write(tmp, bytes(share));
      Files.move(tmp, dir.resolve(fileName(share)), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public List<SharedMlp> all() throws IOException {
      if (!Files.isDirectory(dir)) {
        return List.of();
      }
      List<SharedMlp> out = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".share")).sorted().toList()) {
          try (InputStream in = Files.newInputStream(f)) {
            out.add(SharedMlp.read(in));
          } catch (IOException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
          }
        }
      }
      return out;
    }
  }

  /** A blob container (Azure Storage or Azurite), created on first write. */
  record Blob(String connectionString, String container) implements ShareStore {
    private BlobContainerClient client() {
      return new BlobServiceClientBuilder().connectionString(connectionString).buildClient()
          .getBlobContainerClient(container);
    }

    @Override
    public void put(SharedMlp share) {
      BlobContainerClient c = client();
      c.createIfNotExists();
      byte[] data = bytes(share);
      c.getBlobClient(fileName(share)).upload(new ByteArrayInputStream(data), data.length, true);
    }

    @Override
    public List<SharedMlp> all() throws IOException {
      BlobContainerClient c = client();
      if (!c.exists()) {
        return List.of();
      }
      List<SharedMlp> out = new ArrayList<>();
      for (BlobItem item : c.listBlobs()) {
        if (item.getName().endsWith(".share")) {
          byte[] data = c.getBlobClient(item.getName()).downloadContent().toBytes();
          try {
            out.add(SharedMlp.read(new ByteArrayInputStream(data)));
          } catch (IOException e) {
            throw new IOException(container + "/" + item.getName() + ": " + e.getMessage(), e);
          }
        }
      }
      return out;
    }
  }
}
