package dev.veil.runtime.host;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings in host.json and local.settings.json that Veil does not act on, so that the host
 * names them once at start instead of dropping them silently.
 */
public final class IgnoredSettings {
  /**
   * host.json: what Veil reads, by section; null means every key below is read (by the host or a
   * provider).
   */
  private static final Map<String, Set<String>> HOST_JSON =
      Map.of(
          "version",
          Set.of(),
          "functionTimeout",
          Set.of(),
          "veil",
          Set.of(),
          "logging",
          Set.of("logLevel"),
          "extensions",
          Set.of("http", "kafka", "blobs", "queues", "timers"));

  private static final Set<String> HTTP =
      Set.of("routePrefix", "customHeaders", "maxConcurrentRequests", "maxOutstandingRequests");
  private static final Set<String> LOCAL_SETTINGS = Set.of("IsEncrypted", "Values", "Host");
  private static final Set<String> LOCAL_HOST = Set.of("LocalHttpPort", "CORS", "CORSCredentials");

  private IgnoredSettings() {}

  /** Dotted names of the settings Veil ignores, host.json's first. */
  public static List<String> of(JsonObject hostJson, JsonObject localSettings) {
    List<String> out = new ArrayList<>();
    for (String key : hostJson.fieldNames()) {
      Set<String> read = HOST_JSON.get(key);
      if (read == null) {
        out.add("host.json " + key);
      } else if (!read.isEmpty() && hostJson.getValue(key) instanceof JsonObject section) {
        for (String sub : section.fieldNames()) {
          if (!read.contains(sub)) out.add("host.json " + key + "." + sub);
        }
      }
    }
    if (hostJson.getValue("extensions") instanceof JsonObject ext
        && ext.getValue("http") instanceof JsonObject http) {
      http.fieldNames().stream()
          .filter(k -> !HTTP.contains(k))
          .forEach(k -> out.add("host.json extensions.http." + k));
    }
    for (String key : localSettings.fieldNames()) {
      if (!LOCAL_SETTINGS.contains(key)) out.add("local.settings.json " + key);
    }
    if (localSettings.getValue("Host") instanceof JsonObject host) {
      host.fieldNames().stream()
          .filter(k -> !LOCAL_HOST.contains(k))
          .forEach(k -> out.add("local.settings.json Host." + k));
    }
    return out;
  }
}
