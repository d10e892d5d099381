package dev.veil.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A Veil host's view of its cluster, {@code GET /admin/cluster} with the master key, for tests that
 * start several clustered hosts and wait for them to find each other.
 */
public final class ClusterAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterAdmin() {}

  /**
   * The body of {@code /admin/cluster} of the host at {@code host} (scheme, address and port);
   * fails naming the status when it is not 200.
   */
  public static String cluster(HttpClient http, URI host, String masterKey)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(host.resolve("/admin/cluster"))
                .header("x-functions-key", masterKey)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "/admin/cluster answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** How many members the host lists now. */
  public static int memberCount(HttpClient http, URI host, String masterKey)
      throws IOException, InterruptedException {
    return JSON.readTree(cluster(http, host, masterKey)).path("members").size();
  }

  /**
   * Waits (bounded) until the host lists {@code count} members. Fails at once if {@code alive}
   * turns false, else after {@code timeout}, with the host's last answer and {@code log} (its log's
   * tail).
   */
  public static void awaitMembers(
      HttpClient http,
      URI host,
      String masterKey,
      int count,
      Duration timeout,
      BooleanSupplier alive,
      Supplier<String> log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!alive.getAsBoolean()) {
        throw new AssertionError(
            host + " exited before it saw " + count + " members:\n" + log.get());
      }
      try {
        String body = cluster(http, host, masterKey);
        if (JSON.readTree(body).path("members").size() == count) return;
        last = body;
      } catch (IOException | RuntimeException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + host, e);
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + host, e);
      }
    }
    throw new AssertionError(
        host
            + " did not see "
            + count
            + " members (last answer: "
            + last
            + "); its log:\n"
            + log.get());
  }
}
