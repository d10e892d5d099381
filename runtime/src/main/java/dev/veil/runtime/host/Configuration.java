package dev.veil.runtime.host;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.HostConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Reads host.json and local.settings.json the way Azure Functions Core Tools does. */
public record Configuration(
    HostConfig hostConfig,
    AppSettings settings,
    Integer localHttpPort,
    Map<String, String> declaredSettings) {

  /**
   * @param dir folder with host.json and local.settings.json (both optional)
   * @param hostJson used instead of host.json when not null
   * @param overrides settings that win over everything
   * @param environment environment variables; they override local.settings.json Values
   */
  public static Configuration load(
      Path dir,
      JsonObject hostJson,
      Map<String, String> overrides,
      Map<String, String> environment) {
    JsonObject host = hostJson != null ? hostJson : readJson(dir.resolve("host.json"));
    JsonObject local = readJson(dir.resolve("local.settings.json"));
    Map<String, String> values = new HashMap<>();
    JsonObject declared = local.getJsonObject("Values", new JsonObject());
    declared.forEach(
        e -> values.put(e.getKey(), e.getValue() == null ? "" : e.getValue().toString()));
    values.putAll(environment);
    values.putAll(overrides);
    Map<String, String> declaredSettings = new HashMap<>();
    declared.fieldNames().forEach(name -> declaredSettings.put(name, values.get(name)));
    overrides.forEach(declaredSettings::put);
    Integer port = null;
    Object hostSection = local.getValue("Host");
    if (hostSection instanceof JsonObject h && h.getValue("LocalHttpPort") != null) {
      try {
        port = Integer.valueOf(h.getValue("LocalHttpPort").toString());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "local.settings.json: Host.LocalHttpPort is not a number");
      }
    }
    return new Configuration(
        new HostConfig(host), new AppSettings(values), port, Map.copyOf(declaredSettings));
  }

  /** local.settings.json in {@code dir} as it is written (empty when absent). */
  public static JsonObject localSettings(Path dir) {
    return readJson(dir.resolve("local.settings.json"));
  }

  private static JsonObject readJson(Path file) {
    if (!Files.exists(file)) return new JsonObject();
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (DecodeException | ClassCastException e) {
      String problem =
          String.valueOf(e.getMessage())
              .lines()
              .findFirst()
              .orElse("")
              .replaceFirst("^Failed to decode:", "")
              .replaceAll("\\s*\\(start marker at .*", "");
      throw new IllegalArgumentException(file + " is not a JSON object: " + problem, e);
    }
  }
}
