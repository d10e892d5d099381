package dev.veil.dashboard;

import com.sun.management.OperatingSystemMXBean;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Dashboard figures for BENCHMARKS.md (bench/dashboard.sh), not a test: a host with {@code
 * bench.functions} (50) HTTP functions and {@code bench.lines} (10,000) invocations in the
 * dashboard's log; (1) page load time in headless Chromium, until the functions table with its
 * sparklines and the log's backlog are on screen; (2) the host's CPU while idle, first with nobody
 * signed in, then with one dashboard page open, over {@code bench.idleSeconds} (60) each. The host
 * runs in this JVM, so its CPU is this process's CPU time; the browser's is not counted.
 */
public final class DashboardBenchmark {
  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  public static void main(String[] args) throws Exception {
    int functions = Integer.getInteger("bench.functions", 50);
    int lines = Integer.getInteger("bench.lines", 10_000);
    int idleSeconds = Integer.getInteger("bench.idleSeconds", 60);
    Path dir = Files.createTempDirectory("veil-dashboard-bench");
    Path classes = compileFunctions(dir, functions);
    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(dir.resolve("data"))
                    .configDirectory(dir)
                    .scanPath(classes)
                    .scanPackage("bench")
                    .hostJson(
                        new JsonObject()
                            .put(
                                "veil",
                                new JsonObject()
                                    .put("dashboard", new JsonObject().put("logLines", lines)))))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    try {
      String base = "http://127.0.0.1:" + host.port();
      invoke(base, functions, lines);
      Thread.sleep(5000); // let JIT and GC settle before the idle baseline
      double baseline = cpuShare(idleSeconds);
      System.out.printf("idle, nobody signed in: %.3f%% of a core%n", 100 * baseline);

      Process p =
          new ProcessBuilder(
                  "node",
                  "src/test/browser/dashboard-bench.mjs",
                  "--url",
                  base,
                  "--key=" + host.keys().masterKey(), // a generated key may start with "-"
                  "--functions",
                  String.valueOf(functions),
                  "--idle-seconds",
                  String.valueOf(idleSeconds))
              .redirectErrorStream(true)
              .start();
      long cpuStart = 0;
      long wallStart = 0;
      double open = Double.NaN;
      String result = null;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.equals("IDLE-START")) {
            cpuStart = OS.getProcessCpuTime();
            wallStart = System.nanoTime();
          } else if (line.equals("IDLE-END")) {
            open = (OS.getProcessCpuTime() - cpuStart) / (double) (System.nanoTime() - wallStart);
          } else if (line.startsWith("{")) {
            result = line;
          } else {
            System.out.println("browser: " + line);
          }
        }
      }
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || result == null)
        throw new IllegalStateException("the browser side failed");
      JsonObject r = new JsonObject(result);
      System.out.printf(
          "page load with %d functions and %d log lines buffered: median %d ms of %s (%s)%n",
          functions,
          lines,
          r.getLong("median_ms"),
          r.getJsonArray("loads_ms"),
          r.getString("user_agent"));
      System.out.printf("idle, one dashboard open: %.3f%% of a core%n", 100 * open);
      System.out.printf(
          "extra CPU of an open dashboard: %.3f%% of a core (goal <= 2%%)%n",
          100 * (open - baseline));
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** This process's CPU time over {@code seconds} of wall time, as a share of one core. */
  private static double cpuShare(int seconds) throws InterruptedException {
    long cpu = OS.getProcessCpuTime();
    long wall = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    return (OS.getProcessCpuTime() - cpu) / (double) (System.nanoTime() - wall);
  }

  /**
   * {@code total} invocations spread over the functions, 16 at a time; every tenth one answers 500.
   */
  private static void invoke(String base, int functions, int total) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<?>> window = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      String path = String.format("/api/fn-%02d%s", i % functions, i % 10 == 9 ? "?fail=1" : "");
      window.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.discarding()));
      if (window.size() == 16) {
        CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
        window.clear();
      }
    }
    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).join();
  }

  /** A class {@code bench.Functions} with {@code n} HTTP functions fn-00..., compiled now. */
  private static Path compileFunctions(Path dir, int n) throws Exception {
    StringBuilder src =
        new StringBuilder(
            "package bench;\nimport com.microsoft.azure.functions.*;\n"
                + "import com.microsoft.azure.functions.annotation.*;\nimport java.util.Optional;\n"
                + "public class Functions {\n");
    for (int i = 0; i < n; i++) {
      String name = String.format("fn-%02d", i);
      src.append(
          String.format(
              "  @FunctionName(\"%1$s\") public HttpResponseMessage f%2$d(@HttpTrigger(name ="
                  + " \"req\", authLevel = AuthorizationLevel.ANONYMOUS, route = \"%1$s\")"
                  + " HttpRequestMessage<Optional<String>> r) {\n"
                  + "    boolean fail = r.getQueryParameters().containsKey(\"fail\");\n"
                  + "    return r.createResponseBuilder(fail ? HttpStatus.INTERNAL_SERVER_ERROR"
                  + " : HttpStatus.OK).body(fail ? \"asked to fail\" : \"ok\").build();\n  }\n",
              name, i));
    }
    src.append("}\n");
    Path source = dir.resolve("src/bench/Functions.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, src);
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-cp",
            System.getProperty("java.class.path"),
            "-d",
            classes.toString(),
            source.toString());
    if (rc != 0) throw new IllegalStateException("javac failed for the generated functions");
    return classes;
  }
}
