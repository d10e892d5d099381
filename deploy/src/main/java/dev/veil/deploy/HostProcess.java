package dev.veil.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Veil host in its own process, as a user starts it; the port comes from its start-up log line.
 * The deploy tests start hosts with it, and {@link ClassArchive} its training run.
 */
final class HostProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final StringBuffer log = new StringBuffer();
  private final int port;

  private HostProcess(Process process) throws Exception {
    this.process = process;
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                  log.append(line).append('\n');
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
              } catch (IOException ignored) {
                // the process went away; the exit is reported below
              }
              port.completeExceptionally(
                  new IllegalStateException("the host exited before listening:\n" + log));
            },
            "host-log");
    reader.setDaemon(true);
    reader.start();
    try {
      this.port = port.get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "the host did not start: " + e.getMessage() + "\nlog:\n" + log, e);
    }
  }

  /**
   * Starts {@code command} (stderr merged into stdout) in {@code workDir} with extra environment
   * variables.
   */
  static HostProcess start(List<String> command, Path workDir, Map<String, String> env)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    return new HostProcess(builder.start());
  }

  /**
   * The distribution's launcher, as a user runs it: {@code <dist>/bin/veil start --port 0 --data
   * <workDir>/state}.
   */
  static HostProcess startDistribution(Path dist, Path workDir, Map<String, String> env)
      throws Exception {
    return start(
        List.of(
            dist.resolve("bin/veil").toAbsolutePath().toString(),
            "start",
            "--port",
            "0",
            "--data",
            workDir.resolve("state").toString()),
        workDir,
        env);
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  String log() {
    return log.toString();
  }

  /** SIGTERM, as Kubernetes stops a pod; answers the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
    return process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) stop();
  }
}
