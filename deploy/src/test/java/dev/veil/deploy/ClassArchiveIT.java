package dev.veil.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data archive the build makes (issue 24): bin/veil starts with it on the JVM it was made
 * for, and when the archive does not fit (the jar changed, the file is broken) the host still
 * starts, from the jar.
 */
class ClassArchiveIT {
  private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

  @Test
  void binVeilLoadsTheHostsClassesFromTheArchive(@TempDir Path work) throws Exception {
    Path archive = ClassArchive.archiveFor(DistributionIT.DIST, JAVA_HOME);
    assertTrue(Files.isRegularFile(archive), "the build made no archive at " + archive);
    List<String> loads = startAndLoadedClasses(DistributionIT.DIST, work);
    // the host itself (in the JVM that `veil start` re-runs itself in) and what it starts with
    for (String name :
        List.of("dev.veil.runtime.VeilHost", "io.vertx.core.Vertx", "io.netty.channel.Channel")) {
      assertTrue(
          loads.stream().anyMatch(l -> l.contains(" " + name + " source: shared objects file")),
          name + " was not loaded from the archive:\n" + sample(loads, name));
    }
    List<String> app = appClasses(loads);
    long shared = app.stream().filter(l -> l.contains("source: shared objects file")).count();
    assertTrue(
        shared > 0.9 * app.size(),
        shared + " of " + app.size() + " Veil/Vert.x/Netty classes from the archive");
  }

  @Test
  void aStaleOrBrokenArchiveIsIgnoredAndTheHostStarts(@TempDir Path work) throws Exception {
    // a copy of the distribution: the jar's new modification time makes the archive stale
    Path dist = work.resolve("veil");
    for (String dir : List.of("bin", "config", "lib/archive")) {
      Files.createDirectories(dist.resolve(dir));
      try (Stream<Path> files = Files.list(DistributionIT.DIST.resolve(dir))) {
        for (Path f : (Iterable<Path>) files::iterator)
          Files.copy(f, dist.resolve(dir).resolve(f.getFileName()));
      }
    }
    Files.copy(DistributionIT.DIST.resolve("lib/veil.jar"), dist.resolve("lib/veil.jar"));
    Path archive = ClassArchive.archiveFor(dist, JAVA_HOME);
    assertTrue(Files.isRegularFile(archive), archive.toString());
    List<String> stale = startAndLoadedClasses(dist, work.resolve("stale"));
    assertTrue(
        appClasses(stale).stream().noneMatch(l -> l.contains("shared objects file")),
        "classes came from a stale archive:\n" + sample(stale, "dev.veil"));

    // another JVM's archive under this JVM's name: not an archive this JVM can read
    Files.delete(archive);
    Files.write(archive, "not a class-data archive".repeat(100).getBytes());
    List<String> broken = startAndLoadedClasses(dist, work.resolve("broken"));
    assertTrue(
        appClasses(broken).stream().noneMatch(l -> l.contains("shared objects file")),
        sample(broken, "dev.veil"));
  }

  /**
   * Starts {@code dist}'s bin/veil, checks it serves, stops it; answers the class-load log lines of
   * every JVM it ran (one file per process id).
   */
  private static List<String> startAndLoadedClasses(Path dist, Path work) throws Exception {
    Files.createDirectories(work);
    String masterKey = "archive-" + System.nanoTime();
    try (HostProcess host =
        HostProcess.startDistribution(
            dist,
            work,
            Map.of(
                "VEIL_MASTER_KEY",
                masterKey,
                "JAVA",
                HostProcess.java(),
                "JAVA_OPTS",
                "-Xmx1g -Xlog:class+load=info:file=" + work.resolve("classes-%p.log")))) {
      HttpResponse<String> ready =
          host.send(HttpRequest.newBuilder(host.uri("/health/ready")).GET());
      assertEquals(200, ready.statusCode(), ready.body());
      HttpResponse<String> params =
          host.send(HttpRequest.newBuilder(host.uri("/api/encrypted-mnist/he-params")).GET());
      assertEquals(200, params.statusCode(), params.body());
      assertEquals(143, host.stop(), host.log());
    }
    List<String> lines = new ArrayList<>();
    try (Stream<Path> logs = Files.list(work)) {
      for (Path log : (Iterable<Path>) logs::iterator)
        if (log.getFileName().toString().startsWith("classes-"))
          lines.addAll(Files.readAllLines(log));
    }
    assertTrue(lines.size() > 1000, "no class-load log: " + lines.size() + " lines");
    return lines;
  }

  private static List<String> appClasses(List<String> loads) {
    return loads.stream()
        .filter(l -> l.matches(".* (dev\\.veil|io\\.vertx|io\\.netty)\\.[^ ]* source: .*"))
        .collect(Collectors.toList());
  }

  private static String sample(List<String> loads, String name) {
    return loads.stream().filter(l -> l.contains(name)).limit(10).collect(Collectors.joining("\n"));
  }
}
