package dev.veil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process for tests: a Java main class with the caller's classpath (a host that a test
 * kills with SIGKILL and starts again, the Kafka broker) or any command (Azurite). Output goes to a
 * log file; the process is killed when the test JVM exits.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String name;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    Runtime.getRuntime().addShutdownHook(new Thread(this::kill, "kill-" + name));
  }

  /**
   * Starts {@code mainClass} with this JVM's classpath, extra JVM options, environment and
   * arguments.
   */
  public static ChildProcess java(
      String name,
      String mainClass,
      List<String> jvmOptions,
      Map<String, String> env,
      List<String> args,
      Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    return command(name, command, env, log);
  }

  /** Starts {@code command} with extra environment variables. */
  public static ChildProcess command(
      String name, List<String> command, Map<String, String> env, Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      return new ChildProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** Waits until a line of the log satisfies {@code ready}; fails if the process exits first. */
  public void awaitLog(Predicate<String> ready, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (logLines().stream().anyMatch(ready)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with "
                + process.exitValue()
                + " before it was ready; log "
                + log
                + ":\n"
                + tail());
      }
      sleep(50);
    }
    throw new IllegalStateException(
        name + " not ready after " + timeout + "; log " + log + ":\n" + tail());
  }

  /** The log's lines so far. */
  public List<String> logLines() {
    try {
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last lines of the log, for error messages. */
  public String tail() {
    List<String> lines = logLines();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: the process gets no chance to clean up, as in a crash. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** SIGTERM, then SIGKILL if the process has not exited within {@code grace}. */
  public int stop(Duration grace) {
    process.destroy();
    if (!waitFor(grace)) {
      kill();
    }
    return process.exitValue();
  }

  /** Waits for the process to exit; true if it did within {@code timeout}. */
  public boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
