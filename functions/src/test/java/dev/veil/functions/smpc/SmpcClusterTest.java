package dev.veil.functions.smpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.veil.functions.mnist.MnistDigits;
import dev.veil.smpc.Mlp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three roles as members of one Veil cluster. Every member publishes the same SMPC functions,
 * and the cluster forwards an unmarked call to any of them (shown here with smpc/status); the
 * roles' calls and the client's are marked for the host they address, so predictions still reach
 * the right role.
 */
class SmpcClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static SmpcHosts hosts;

  @BeforeAll
  static void start() {
    Path s0 = dir.resolve("shares0"), s1 = dir.resolve("shares1"), s2 = dir.resolve("masks");
    SmpcHosts.shareModels(dir, "mnist-mlp", "linear-1x1");
    hosts = new SmpcHosts(dir, s0, s1, s2, Duration.ofSeconds(20), List.of(), null, true);
  }

  @AfterAll
  static void stop() {
    if (hosts != null) hosts.close();
  }

  private static String role() throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(hosts.party0.api("smpc/status"))
            .timeout(Duration.ofSeconds(20))
            .header("x-functions-key", SmpcHosts.HOST_KEY);
    HttpResponse<String> r = SmpcHosts.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body()).path("role").asText();
  }

  @Test
  void predictionsReachTheirRolesInsideOneCluster() throws Exception {
    // every member publishes smpc-status; @RunsWhereCalled keeps each call on the host it addresses
    Set<String> roles = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      roles.add(role());
    }
    assertEquals(Set.of("party0"), roles, "calls to party 0's address must be served by party 0");

    SmpcClient client =
        new SmpcClient(
            hosts.party0.base(), hosts.party1.base(), SmpcHosts.HOST_KEY, Duration.ofSeconds(60));
    for (int i = 0; i < 8; i++) {
      assertEquals(
          0.5 * i + 0.25, client.predict("linear-1x1", new double[][] {{i}}).scores()[0][0], 1e-3);
    }
    MnistDigits digits = MnistDigits.testSplit();
    for (int i = 0; i < 2; i++) {
      SmpcClient.Prediction p =
          client.predict(
              "mnist-mlp", new double[][] {digits.images()[i]}, SmpcClient.Output.ARGMAX);
      assertEquals(Mlp.argmax(SmpcModels.mnist().scores(digits.images()[i])), p.labels()[0]);
    }
  }
}
