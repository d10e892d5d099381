package dev.veil.dashboard.clusterfn;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What the clustered hosts of DashboardClusterBrowserTest serve: {@code whoami} answers its process
 * id; {@code hold} stays in flight until the file named by {@code VEIL_TEST_RELEASE} exists (at
 * most two minutes), so the Cluster page has in-flight invocations to show.
 */
public final class ClusterTrafficFunctions {
  @FunctionName("whoami")
  public String whoami(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return Long.toString(ProcessHandle.current().pid());
  }

  @FunctionName("hold")
  public String hold(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request)
      throws InterruptedException {
    Path release = Path.of(System.getenv("VEIL_TEST_RELEASE"));
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (!Files.exists(release) && System.nanoTime() < deadline) Thread.sleep(20);
    return Long.toString(ProcessHandle.current().pid());
  }
}
