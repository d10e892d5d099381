package dev.veil.compat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds the test apps in {@code src/test/apps/<name>} as a user's build would: {@code java/}
 * compiled with javac against azure-functions-java-library (and the libraries named), {@code
 * resources/} added, packed into {@code <out>/<name>/<name>.jar} with the libraries copied into
 * {@code <out>/<name>/lib/}, the layout azure-functions-maven-plugin produces.
 */
final class CompatApps {
  private static final Path SOURCES = Path.of("src/test/apps");

  /** Jars of the libraries the apps use; they stay off the host's class path. */
  private static final List<String> APP_LIBRARIES =
      List.of(
          "/com/google/inject/",
          "/jakarta/inject/",
          "/aopalliance/",
          "/com/google/guava/",
          "/com/h2database/");

  /** What an app compiles against besides its own libraries; on the host's class path already. */
  private static final List<String> AZURE_API =
      List.of(
          "/azure-functions-java-library/",
          "/azure-functions-java-core-library/",
          "/azure-functions-java-spi/");

  private CompatApps() {}

  /**
   * Builds app {@code name}.
   *
   * @param libraries path fragments of the test class path's jars to compile against and ship in
   *     lib/
   * @param compileOnly extra class folders / jars to compile against that the app does not ship
   * @return the app jar
   */
  static Path build(String name, Path out, List<String> libraries, List<Path> compileOnly) {
    try {
      Path appDir = Files.createDirectories(out.resolve(name));
      Path classes = Files.createDirectories(out.resolve(name + "-classes"));
      List<Path> libs =
          testClassPath().stream()
              .filter(p -> libraries.stream().anyMatch(l -> slashed(p).contains(l)))
              .toList();
      List<Path> classPath =
          new ArrayList<>(
              testClassPath().stream()
                  .filter(p -> AZURE_API.stream().anyMatch(a -> slashed(p).contains(a)))
                  .toList());
      classPath.addAll(libs);
      classPath.addAll(compileOnly);
      compile(SOURCES.resolve(name).resolve("java"), classes, classPath);
      Path resources = SOURCES.resolve(name).resolve("resources");
      if (Files.isDirectory(resources)) copyTree(resources, classes);
      Path jar = appDir.resolve(name + ".jar");
      jar(classes, jar);
      if (!libs.isEmpty()) {
        Path lib = Files.createDirectories(appDir.resolve("lib"));
        for (Path l : libs) Files.copy(l, lib.resolve(l.getFileName()));
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Compiles app {@code name}'s sources into a class folder only (a library other apps compile
   * against).
   */
  static Path compileOnly(String name, Path out) {
    try {
      Path classes = Files.createDirectories(out.resolve(name + "-classes"));
      compile(
          SOURCES.resolve(name).resolve("java"),
          classes,
          testClassPath().stream()
              .filter(p -> AZURE_API.stream().anyMatch(a -> slashed(p).contains(a)))
              .toList());
      return classes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** This JVM's class path without the apps' libraries: what `veil start` runs with. */
  static String hostClassPath() {
    return String.join(
        java.io.File.pathSeparator,
        testClassPath().stream()
            .filter(p -> APP_LIBRARIES.stream().noneMatch(l -> slashed(p).contains(l)))
            .map(Path::toString)
            .toList());
  }

  private static List<Path> testClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .toList();
  }

  private static String slashed(Path p) {
    return p.toAbsolutePath().toString().replace('\\', '/');
  }

  private static void compile(Path sourceRoot, Path classes, List<Path> classPath)
      throws IOException {
    List<String> sources;
    try (Stream<Path> files = Files.walk(sourceRoot)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--release",
                "17",
                "-parameters",
                "-proc:none",
                "-nowarn",
                "-d",
                classes.toString(),
                "-cp",
                String.join(
                    java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList())));
    args.addAll(sources);
    int rc = javac.run(null, null, null, args.toArray(String[]::new));
    if (rc != 0)
      throw new IllegalStateException("javac failed on " + sourceRoot + " (output above)");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(target);
        else Files.copy(f, target);
      }
    }
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }
}
