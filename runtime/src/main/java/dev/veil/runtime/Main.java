package dev.veil.runtime;

import ch.qos.logback.classic.LoggerContext;
import dev.veil.runtime.spi.CliCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The {@code veil} command line. */
public final class Main {
  private static final String USAGE =
      """
      usage: veil start [options]
        --port N          HTTP port (default: local.settings.json Host.LocalHttpPort, else 7071; 0 = any free port)
        --host ADDRESS    address to bind (default 127.0.0.1)
        --config DIR      folder with host.json and local.settings.json (default: working directory)
        --data DIR        folder for host state such as generated keys (default: <config>/.veil)
        --scan PACKAGE    discover functions in this package (repeatable; default: the packages listed in
                          META-INF/veil/scan-packages on the classpath, else the whole classpath)
        --functions PATH  serve the functions in this jar or class folder (repeatable; its lib/ jars are on
                          its class path); Veil's built-in functions are then served only with
                          --builtin-functions (or host.json veil.builtinFunctions)
        --app DIR         serve an Azure Functions app folder (host.json, local.settings.json, app jar, lib/,
                          function.json folders), as azure-functions-maven-plugin or Core Tools lay it out
        --builtin-functions  also serve Veil's built-in functions beside --functions / --app
        --cluster         join a Vert.x/Hazelcast cluster
      local.settings.json Values reach function code through System.getenv (a variable already set wins):
      the host runs in a child JVM started with them in its environment.
      """;

  private Main() {}

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install(); // function loggers (java.util.logging) end up in the same log
    if (args.length > 0 && !args[0].equals("start") && !args[0].startsWith("-")) {
      CliCommand command =
          commands().stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
      if (command != null) {
        System.exit(command.run(List.of(args).subList(1, args.length), System.out, System.err));
        return;
      }
    }
    HostOptions options;
    try {
      options = parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("veil: " + e.getMessage());
      System.err.print(usage());
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(usage());
      return;
    }
    // Only an app given by path (--functions) may read its settings from System.getenv; Veil's own
    // functions get them from the host, so a host of those alone starts in one JVM, not two.
    Map<String, String> missing =
        options.scanPaths().isEmpty()
            ? Map.of()
            : SettingsEnvironment.missing(options.configDirectory(), System.getenv());
    if (!missing.isEmpty()) {
      try {
        System.exit(
            SettingsEnvironment.run(
                SettingsEnvironment.thisCommand(Main.class, List.of(args)), missing));
      } catch (Exception e) {
        System.err.println(
            "veil: cannot start the host with local.settings.json in its environment: "
                + e.getMessage());
        System.exit(1);
      }
      return;
    }
    VeilHost host;
    try {
      host = await(VeilHost.start(options).toCompletionStage().toCompletableFuture());
    } catch (Exception e) {
      System.err.println("veil: the host did not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    SettingsEnvironment.exitWithLauncher();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    host.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
                  } catch (Exception e) {
                    System.err.println("veil: shutdown did not finish cleanly: " + e.getMessage());
                  }
                  // Stopping logback writes out the log lines still buffered (the invocation log is
                  // written every few ms).
                  if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging)
                    logging.stop();
                },
                "veil-shutdown"));
  }

  /** Subcommands other modules contribute (e.g. {@code veil batch}). */
  private static List<CliCommand> commands() {
    return ServiceLoader.load(CliCommand.class).stream().map(ServiceLoader.Provider::get).toList();
  }

  private static String usage() {
    StringBuilder usage = new StringBuilder(USAGE);
    commands().forEach(c -> usage.append("       ").append(c.usage()).append('\n'));
    return usage.toString();
  }

  /** Parses the arguments; {@code null} means "print usage". */
  static HostOptions parse(List<String> args) {
    if (args.isEmpty() || args.contains("--help") || args.contains("-h")) return null;
    if (!args.get(0).equals("start"))
      throw new IllegalArgumentException("unknown command '" + args.get(0) + "'");
    HostOptions options = new HostOptions();
    for (int i = 1; i < args.size(); i++) {
      String flag = args.get(i);
      if (flag.equals("--cluster")) {
        options.clustered(true);
        continue;
      }
      if (flag.equals("--builtin-functions")) {
        options.builtinFunctions(true);
        continue;
      }
      if (i + 1 >= args.size()) throw new IllegalArgumentException(flag + " needs a value");
      String value = args.get(++i);
      switch (flag) {
        case "--port" -> {
          try {
            options.port(Integer.parseInt(value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number, got '" + value + "'");
          }
        }
        case "--host" -> options.bindHost(value);
        case "--config" -> options.configDirectory(Path.of(value));
        case "--data" -> options.dataDirectory(Path.of(value));
        case "--scan" -> options.scanPackage(value);
        case "--functions" -> options.scanPath(Path.of(value));
        case "--app" -> options.app(Path.of(value));
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    return options;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
