package dev.veil.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.cluster.invokefn.InvokeFunctions;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import dev.veil.runtime.cluster.ClusterSettings;
import dev.veil.testkit.ClusterAdmin;
import dev.veil.testkit.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered hosts in this JVM without key affinity, so calls entering the first are spread over
 * both: an invocation run on the other host answers exactly as a local one (status, the function's
 * header, JSON body built from the request's route, query, header and body), its failures keep
 * their meaning (400 with the function's message), and a caller without a key is refused at the
 * entry host before anything is sent.
 */
class ClusteredInvocationTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;
  private static final List<VeilHost> hosts = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    List<Integer> ports = List.of(FreePorts.next(), FreePorts.next());
    for (int i = 0; i < 2; i++) {
      JsonObject veil =
          new JsonObject()
              .put(
                  "cluster",
                  new JsonObject()
                      .put("name", "invoke")
                      .put("port", ports.get(i))
                      .put("interface", "127.0.0.1")
                      .put("affinity", false)
                      .put(
                          "members",
                          new JsonArray(ports.stream().map(p -> "127.0.0.1:" + p).toList())));
      hosts.add(
          await(
              VeilHost.start(
                  new HostOptions()
                      .port(0)
                      .clustered(true)
                      .configDirectory(dir)
                      .dataDirectory(dir.resolve("data-" + i))
                      .functionClass(InvokeFunctions.class)
                      .setting(ClusterSettings.SECRET_SETTING, ClusterHosts.SECRET)
                      .setting("VEIL_MASTER_KEY", ClusterHosts.MASTER_KEY)
                      .hostJson(new JsonObject().put("veil", veil)))));
    }
    // the first host sees both members
    ClusterAdmin.awaitMembers(
        HTTP,
        URI.create(base(hosts.get(0))),
        ClusterHosts.MASTER_KEY,
        2,
        Duration.ofSeconds(60),
        () -> true,
        () -> "(a host in this JVM: see the test's output)");
  }

  @AfterAll
  static void stop() throws Exception {
    for (VeilHost h : hosts) await(h.close());
  }

  @Test
  void anInvocationRunOnTheOtherHostAnswersAsALocalOne() throws Exception {
    VeilHost entry = hosts.get(0);
    VeilHost other = hosts.get(1);
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base(entry) + "/api/echo/acme?q=" + i))
                  .header("x-functions-key", ClusterHosts.MASTER_KEY)
                  .header("x-in", "hdr" + i)
                  .POST(HttpRequest.BodyPublishers.ofString("payload " + i))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, r.statusCode(), r.body());
      assertEquals("yes", r.headers().firstValue("x-echo").orElse(null));
      assertEquals("application/json", r.headers().firstValue("content-type").orElse(null));
      assertEquals(
          new JsonObject()
              .put("q", Integer.toString(i))
              .put("h", "hdr" + i)
              .put("body", "payload " + i)
              .put("uri", "/api/echo/acme"),
          new JsonObject(r.body()));
    }
    assertTrue(
        invocations(other, "echo", "success") > 0,
        "some calls entering the first host ran on the second");
  }

  @Test
  void failuresKeepTheirMeaningAndUnauthorizedCallsStayAtTheEdge() throws Exception {
    VeilHost entry = hosts.get(0);
    VeilHost other = hosts.get(1);
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base(entry) + "/api/refuse")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("refused: the input is wrong"), r.body());
    }
    assertTrue(
        invocations(other, "refuse", "bad_input") + invocations(other, "refuse", "failure") > 0,
        "some refusals came from the second host: " + metrics(other));

    int before = invocations(other, "echo", "success");
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base(entry) + "/api/echo/acme"))
                  .POST(HttpRequest.BodyPublishers.ofString("no key"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(401, r.statusCode(), r.body());
    }
    assertEquals(before, invocations(other, "echo", "success"), "nothing unauthorized was sent on");
  }

  private static String base(VeilHost host) {
    return "http://127.0.0.1:" + host.port();
  }

  private static String metrics(VeilHost host) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(base(host) + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * The host's count of invocations of {@code function} with {@code status}, from its Prometheus
   * endpoint.
   */
  private static int invocations(VeilHost host, String function, String status) throws Exception {
    return (int)
        metrics(host)
            .lines()
            .filter(
                l ->
                    l.startsWith("veil_invocations_total")
                        && l.contains("function=\"" + function + "\"")
                        && l.contains("status=\"" + status + "\""))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
