package dev.veil.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Lays out the runnable distribution: {@code bin/veil} (launcher), {@code config/} (host.json,
 * local.settings.json) and {@code lib/veil.jar} (the host, its triggers and the bundled functions).
 *
 * <p>{@code java dev.veil.deploy.Distribution <template folder> <veil.jar> <output folder>}
 */
public final class Distribution {
  private Distribution() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3)
      throw new IllegalArgumentException(
          "usage: Distribution <template folder> <veil.jar> <output folder>");
    Path out = Path.of(args[2]);
    build(Path.of(args[0]), Path.of(args[1]), out);
    System.out.println(
        "Veil distribution " + out + ": start it with " + out.resolve("bin/veil") + " start");
  }

  public static void build(Path template, Path hostJar, Path out) throws IOException {
    if (!Files.isRegularFile(hostJar))
      throw new IllegalArgumentException("no host jar at " + hostJar);
    AzurePackage.deleteRecursively(out);
    try (Stream<Path> files = Files.walk(template)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = out.resolve(template.relativize(source).toString());
        if (Files.isDirectory(source)) Files.createDirectories(target);
        else Files.copy(source, target);
      }
    }
    Files.createDirectories(out.resolve("lib"));
    Files.copy(hostJar, out.resolve("lib/veil.jar"));
    try (Stream<Path> launchers = Files.list(out.resolve("bin"))) {
      for (Path launcher : (Iterable<Path>) launchers::iterator) {
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
  }
}
