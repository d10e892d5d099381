package dev.veil.runtime.host;

import dev.veil.runtime.host.auth.AccessKeys;
import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.TriggerHandle;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a new user needs from the start-up log: where the keys file is and a command that reads a
 * key from it (never the key itself), and the URL of every HTTP function. Also turns a taken port
 * into a message that names it and says what to do.
 */
public final class StartupGuide {
  private StartupGuide() {}

  /** The lines to log once the host listens on {@code bindHost:port}. */
  public static List<String> lines(
      Path keysFile,
      AppSettings settings,
      String scheme,
      String bindHost,
      int port,
      Map<String, TriggerHandle> handles) {
    List<String> out = new ArrayList<>();
    String file = keysFile.toAbsolutePath().normalize().toString();
    out.add(
        "keys: "
            + file
            + " (master, host and per-function keys; owner-only; `veil keys list` shows their names)");
    out.add("  host key:       node -p 'require(\"" + file + "\").hostKeys.default'");
    out.add(
        "  a function's:   node -p 'require(\""
            + file
            + "\").functionKeys[\"NAME\"].default'  (or jq -r .hostKeys.default "
            + file
            + ")");
    for (String setting : List.of(AccessKeys.HOST_KEY_SETTING, AccessKeys.MASTER_KEY_SETTING)) {
      if (settings.get(setting).isPresent()) {
        out.add(
            "  "
                + setting
                + " is set: it replaces the file's "
                + (setting.equals(AccessKeys.HOST_KEY_SETTING) ? "default host key" : "masterKey"));
      }
    }
    String base = scheme + "://" + visibleHost(bindHost) + ":" + port;
    TreeSet<String> urls =
        new TreeSet<>(); // sorted by URL; functions may share one with different methods
    handles.forEach(
        (name, handle) -> {
          Map<String, Object> d = handle.describe();
          if (d.get("route") instanceof String route) {
            Object methods =
                d.get("methods") instanceof List<?> all && all.size() >= 9
                    ? "[any method]"
                    : d.get("methods");
            urls.add(
                "  "
                    + base
                    + route
                    + "  "
                    + methods
                    + " "
                    + name
                    + " (auth "
                    + d.get("authLevel")
                    + ")");
          }
        });
    if (!urls.isEmpty()) {
      out.add("HTTP functions:");
      out.addAll(urls);
    }
    return out;
  }

  /**
   * A wildcard bind is reachable on loopback; show that rather than an address no browser can open.
   */
  private static String visibleHost(String bindHost) {
    return switch (bindHost) {
      case "0.0.0.0", "::", "[::]" -> "127.0.0.1";
      default ->
          bindHost.contains(":") && !bindHost.startsWith("[") ? "[" + bindHost + "]" : bindHost;
    };
  }

  /**
   * A failure to listen, reworded when the port is taken (NIO and epoll report that differently).
   */
  public static Throwable listenFailure(Throwable error, String bindHost, int port) {
    String message = String.valueOf(error.getMessage());
    if (error instanceof BindException || message.contains("Address already in use")) {
      return new IllegalStateException(
          "port "
              + port
              + " on "
              + bindHost
              + " is already in use (another Veil host?);"
              + " stop that process, or start on another port with --port N (scripts/run.sh --port 7072)",
          error);
    }
    return error;
  }
}
