package dev.veil.functions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Models packaged in this jar; a missing or unreadable one is a packaging bug, not a client's
 * error.
 */
public final class ModelResources {
  private ModelResources() {}

  /** Parses a model file. */
  public interface Reader<T> {
    T read(InputStream in) throws IOException;
  }

  /** Reads {@code resource} from {@code owner}'s class path with {@code reader}. */
  public static <T> T load(Class<?> owner, String resource, Reader<T> reader) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "model resource " + resource + " is missing from the classpath");
      }
      return reader.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model resource " + resource, e);
    }
  }
}
