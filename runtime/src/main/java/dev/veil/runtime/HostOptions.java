package dev.veil.runtime;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start a {@link VeilHost}. Defaults match {@code veil start}: port 7071 on 127.0.0.1,
 * configuration (host.json, local.settings.json) from the working directory, state in {@code
 * <config>/.veil}, functions discovered on the whole classpath.
 */
public final class HostOptions {
  private int port = -1;
  private String bindHost = "127.0.0.1";
  private Path configDirectory = Path.of(".");
  private Path dataDirectory;
  private final List<String> scanPackages = new ArrayList<>();
  private final List<Path> scanPaths = new ArrayList<>();
  private final List<Class<?>> functionClasses = new ArrayList<>();
  private final Map<String, String> settings = new HashMap<>();
  private JsonObject hostJson;
  private boolean clustered;
  private boolean builtinFunctions;

  /**
   * The HTTP port; 0 picks a free one ({@link VeilHost#port()} tells which). Default:
   * local.settings.json Host.LocalHttpPort, else 7071.
   */
  public HostOptions port(int port) {
    if (port < 0 || port > 65535)
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    this.port = port;
    return this;
  }

  public HostOptions bindHost(String host) {
    this.bindHost = host;
    return this;
  }

  /** Where host.json and local.settings.json are read from (both optional). */
  public HostOptions configDirectory(Path dir) {
    this.configDirectory = dir;
    return this;
  }

  /**
   * Where the host keeps state (generated keys, extension data). Default {@code <config>/.veil}.
   */
  public HostOptions dataDirectory(Path dir) {
    this.dataDirectory = dir;
    return this;
  }

  /** Restricts classpath discovery to these packages (and their sub-packages). */
  public HostOptions scanPackage(String packageName) {
    scanPackages.add(packageName);
    return this;
  }

  /** Also discovers functions in this jar or class folder (added to the host's class loader). */
  public HostOptions scanPath(Path jarOrFolder) {
    scanPaths.add(jarOrFolder);
    return this;
  }

  /** Hosts exactly these classes' functions and skips classpath scanning (handy in tests). */
  public HostOptions functionClass(Class<?> type) {
    functionClasses.add(type);
    return this;
  }

  /** An app setting that wins over local.settings.json and the environment. */
  public HostOptions setting(String name, String value) {
    settings.put(name, value);
    return this;
  }

  /** Uses this document instead of reading host.json. */
  public HostOptions hostJson(JsonObject json) {
    this.hostJson = json.copy();
    return this;
  }

  /**
   * Serves an Azure Functions app folder as azure-functions-maven-plugin or Core Tools lay it out:
   * host.json and local.settings.json, the app jar(s) and {@code lib/} in {@code dir}
   * (function.json folders beside them describe what the jar's annotations declare).
   */
  public HostOptions app(Path dir) {
    configDirectory(dir);
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      files
          .filter(f -> f.getFileName().toString().endsWith(".jar"))
          .sorted()
          .forEach(this::scanPath);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "cannot read the app folder " + dir + ": " + e.getMessage());
    }
    return this;
  }

  /**
   * Also serves the functions on the host's own class path (Veil's built-in functions) when an app
   * is given with {@link #scanPath}; without an app they are served anyway. host.json {@code
   * veil.builtinFunctions} does the same.
   */
  public HostOptions builtinFunctions(boolean builtin) {
    this.builtinFunctions = builtin;
    return this;
  }

  /** Joins a Vert.x/Hazelcast cluster instead of running stand-alone. */
  public HostOptions clustered(boolean clustered) {
    this.clustered = clustered;
    return this;
  }

  int port() {
    return port;
  }

  String bindHost() {
    return bindHost;
  }

  Path configDirectory() {
    return configDirectory;
  }

  Path dataDirectory() {
    return dataDirectory != null ? dataDirectory : configDirectory.resolve(".veil");
  }

  List<String> scanPackages() {
    return List.copyOf(scanPackages);
  }

  List<Path> scanPaths() {
    return List.copyOf(scanPaths);
  }

  List<Class<?>> functionClasses() {
    return List.copyOf(functionClasses);
  }

  Map<String, String> settings() {
    return Map.copyOf(settings);
  }

  JsonObject hostJson() {
    return hostJson;
  }

  boolean clustered() {
    return clustered;
  }

  boolean builtinFunctions() {
    return builtinFunctions;
  }
}
