package dev.veil.runtime.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The class path of a user's app as Azure packages it: the app jar (or class folder) and the jars
 * in the {@code lib/} folder beside the jar (inside the folder), which azure-functions-maven-plugin
 * fills with the app's dependencies.
 */
public final class AppClassPath {
  private AppClassPath() {}

  /**
   * Each given jar or folder followed by its {@code lib/*.jar}, in name order, without duplicates.
   */
  public static List<Path> of(List<Path> jarsOrFolders) {
    Set<Path> out = new LinkedHashSet<>();
    for (Path entry : jarsOrFolders) {
      Path absolute = entry.toAbsolutePath().normalize();
      out.add(absolute);
      Path parent = absolute.getParent();
      Path lib =
          Files.isDirectory(absolute)
              ? absolute.resolve("lib")
              : parent == null ? null : parent.resolve("lib");
      if (lib != null && Files.isDirectory(lib)) out.addAll(jars(lib));
    }
    return List.copyOf(out);
  }

  /** {@link #of} as URLs for a class loader. */
  public static URL[] urls(List<Path> jarsOrFolders) throws MalformedURLException {
    List<Path> entries = of(jarsOrFolders);
    URL[] urls = new URL[entries.size()];
    for (int i = 0; i < urls.length; i++) urls[i] = entries.get(i).toUri().toURL();
    return urls;
  }

  private static List<Path> jars(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return new ArrayList<>(
          files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }
}
