package dev.veil.runtime;

import dev.veil.runtime.host.Configuration;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gives function code the {@code Values} of local.settings.json through {@code System.getenv}, as
 * Core Tools does for the Azure Java worker. A JVM cannot change its own environment, so {@code
 * veil start} runs the same command once more as a child process whose environment holds the values
 * the real environment lacks (a variable that is set wins) and waits for it, passing on signals and
 * its exit status. Only for a function app given by path: Veil's own functions read settings
 * through the host, never the environment.
 */
final class SettingsEnvironment {
  /** Set in the child's environment, so that it does not launch again. */
  static final String MARKER = "VEIL_SETTINGS_IN_ENVIRONMENT";

  private SettingsEnvironment() {}

  /**
   * local.settings.json Values that {@code environment} lacks; empty when the file is absent or
   * unreadable.
   */
  static Map<String, String> missing(Path configDir, Map<String, String> environment) {
    if (environment.containsKey(MARKER)) return Map.of();
    Map<String, String> declared;
    try {
      declared = Configuration.load(configDir, null, Map.of(), Map.of()).declaredSettings();
    } catch (RuntimeException e) {
      return Map.of(); // the host's own start reports a broken file
    }
    Map<String, String> out = new TreeMap<>();
    declared.forEach(
        (name, value) -> {
          if (!environment.containsKey(name) && value != null) out.put(name, value);
        });
    return out;
  }

  /**
   * In the child: stops this JVM at once when the launching one is gone. The launcher holds the
   * write end of the child's stdin, which the operating system closes when the launcher dies, even
   * by SIGKILL; the host then halts as the launcher did, without a graceful shutdown, and frees its
   * port.
   */
  static void exitWithLauncher() {
    if (!System.getenv().containsKey(MARKER)) return;
    Thread watch =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // the launcher never writes; only end-of-file matters
                }
              } catch (IOException e) {
                // the pipe broke: the launcher is gone as well
              }
              Runtime.getRuntime().halt(137);
            },
            "veil-launcher-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /**
   * The command line that runs this JVM's main class again with {@code args}: the same java, JVM
   * options and class path. ({@code ProcessHandle.Info.arguments()} is empty on Linux for long
   * class paths.)
   */
  static List<String> thisCommand(Class<?> mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    return command;
  }

  /** Runs {@code command} with {@code extra} added to the environment; returns its exit status. */
  static int run(List<String> command, Map<String, String> extra)
      throws IOException, InterruptedException {
    // stdin stays a pipe from this JVM: the child reads end-of-file from it when this JVM dies
    // (exitWithLauncher).
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().putAll(extra);
    builder.environment().put(MARKER, "1");
    Process child = builder.start();
    Thread forward =
        new Thread(
            () -> {
              child.destroy(); // SIGTERM: the host shuts down gracefully
              try {
                child.waitFor();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "veil-forward-stop");
    Runtime.getRuntime().addShutdownHook(forward);
    return child.waitFor();
  }
}
