package dev.veil.compat;

import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** `veil start` in its own JVM, with the host's class path only, as a user runs it. */
final class HostProcess implements AutoCloseable {
  static final String MASTER_KEY = "compat-master-key-0123456789";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final ChildProcess process;
  private final int port;

  private HostProcess(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a host in {@code configDir} (host.json, local.settings.json) with extra environment and
   * arguments.
   */
  static HostProcess start(
      String name, Path configDir, Map<String, String> env, List<String> args) {
    int port = FreePorts.next();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                CompatApps.hostClassPath(),
                "dev.veil.runtime.Main",
                "start",
                "--port",
                String.valueOf(port),
                "--config",
                configDir.toString()));
    command.addAll(args);
    Map<String, String> environment = new java.util.HashMap<>(env);
    environment.put("VEIL_MASTER_KEY", MASTER_KEY);
    return new HostProcess(
        ChildProcess.command(name, command, environment, configDir.resolve("host.log")), port);
  }

  /** Waits until the host listens; fails with its log if it exits first. */
  HostProcess awaitStarted() {
    process.awaitLog(line -> line.contains("Veil host listening on"), Duration.ofSeconds(60));
    return this;
  }

  String log() {
    return String.join("\n", process.logLines());
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  HttpResponse<String> admin(String method, String path, String body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("x-functions-key", MASTER_KEY)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(
          request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SIGKILL to the process this test started (with local.settings.json Values: the launcher, not
   * the host).
   */
  void kill() {
    process.kill();
  }

  /** Whether something accepts connections on the host's port. */
  boolean listening() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
