package dev.veil.runtime.host;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The function index of a jar or class folder: {@value #PATH}, one class name per line, naming the
 * classes that declare {@code @FunctionName} methods. The package step writes it, so that a host
 * starting from a packaged jar reads a few lines instead of opening every class file in it; a jar
 * or folder without one is scanned.
 */
public final class FunctionIndex {
  /** Where the index lies in a jar or class folder. */
  public static final String PATH = "META-INF/veil/functions.idx";

  private FunctionIndex() {}

  /** The class names the index of {@code root} lists, or {@code null} when it has no index. */
  public static List<String> read(Path root) throws IOException {
    if (Files.isDirectory(root)) {
      Path index = root.resolve(PATH);
      return Files.isRegularFile(index) ? parse(Files.readString(index)) : null;
    }
    if (!Files.isRegularFile(root) || !root.toString().endsWith(".jar")) return null;
    try (JarFile jar = new JarFile(root.toFile())) {
      JarEntry entry = jar.getJarEntry(PATH);
      if (entry == null) return null;
      try (InputStream in = jar.getInputStream(entry)) {
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * Scans {@code root} (a jar or class folder) and writes its index into it, replacing any older
   * one; returns the class names written.
   */
  public static List<String> write(Path root) throws IOException {
    List<String> classes = new ArrayList<>(FunctionScanner.markedClasses(root));
    classes.sort(null);
    StringBuilder text =
        new StringBuilder("# classes with @FunctionName methods, written at package time\n");
    classes.forEach(c -> text.append(c).append('\n'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (Files.isDirectory(root)) {
      Path index = root.resolve(PATH);
      Files.createDirectories(index.getParent());
      Files.write(index, bytes);
    } else {
      URI jar = URI.create("jar:" + root.toAbsolutePath().toUri());
      try (FileSystem zip = FileSystems.newFileSystem(jar, Map.of())) {
        Path index = zip.getPath(PATH);
        Files.createDirectories(index.getParent());
        Files.write(index, bytes);
      }
    }
    return List.copyOf(classes);
  }

  private static List<String> parse(String text) {
    return text.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }
}
