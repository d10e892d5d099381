package dev.veil.triggers.bench;

import dev.veil.testkit.ChildProcess;
import dev.veil.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP edge with its default settings, against a host process (not a test): how long a
 * connection that sends nothing, one that stops in its headers, one idle after an answer and one
 * trickling its body stay open, and the host's resident memory with 2,000 idle connections. Usage:
 * bench/edge.sh [connections].
 */
public final class EdgeBenchmark {
  private EdgeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int idle = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path dir = Files.createTempDirectory("veil-edge-bench-");
    int port = FreePorts.next();
    ChildProcess host =
        ChildProcess.java(
            "edge-host",
            "dev.veil.runtime.Main",
            List.of("-Xmx512m"),
            Map.of(),
            List.of(
                "start",
                "--port",
                Integer.toString(port),
                "--config",
                dir.toString(),
                "--data",
                dir.resolve("data").toString(),
                "--scan",
                "dev.veil.triggers.bench.edge"),
            dir.resolve("host.log"));
    try {
      host.awaitLog(line -> line.contains("listening on"), Duration.ofMinutes(2));
      Thread.sleep(3000); // JVM meters bind after start
      System.out.printf("host RSS at rest: %d MiB%n", rssKib(host.pid()) / 1024);
      List<CompletableFuture<Long>> closes = new ArrayList<>();
      closes.add(closedAfter(port, "", false, "silent"));
      closes.add(
          closedAfter(
              port,
              "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Half: ",
              false,
              "half-sent headers"));
      closes.add(
          closedAfter(
              port, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", false, "idle after an answer"));
      closes.add(
          closedAfter(
              port,
              "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
              true,
              "trickled body (1 B/s)"));
      List<Socket> held = new ArrayList<>();
      for (int i = 0; i < idle; i++) {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.1." + (1 + i / 400)), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port));
        held.add(s);
      }
      Thread.sleep(2000);
      System.out.printf(
          "host RSS with %d idle connections: %d MiB%n", idle, rssKib(host.pid()) / 1024);
      for (CompletableFuture<Long> c : closes) c.join();
      held.forEach(
          s -> {
            try {
              s.close();
            } catch (IOException ignored) {
              // closing
            }
          });
    } finally {
      host.stop(Duration.ofSeconds(10));
    }
  }

  /** Opens a connection, sends {@code head}, and reports when the host closes it. */
  private static CompletableFuture<Long> closedAfter(
      int port, String head, boolean trickle, String what) {
    return CompletableFuture.supplyAsync(
        () -> {
          long start = System.nanoTime();
          try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            start = System.nanoTime();
            InputStream in = s.getInputStream();
            if (trickle) {
              Thread trickler =
                  new Thread(
                      () -> {
                        try {
                          while (true) {
                            out.write('x');
                            out.flush();
                            Thread.sleep(1000);
                          }
                        } catch (IOException | InterruptedException closed) {
                          // the host closed it
                        }
                      });
              trickler.setDaemon(true);
              trickler.start();
            }
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
              // the answer, if any
            }
          } catch (IOException e) {
            // a reset counts as closed too
          }
          long ms = (System.nanoTime() - start) / 1_000_000;
          System.out.printf("%-22s closed after %6d ms%n", what, ms);
          return ms;
        });
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    return -1;
  }
}
