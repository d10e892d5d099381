package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meters that function code registers on Micrometer's global registry are published on the host's
 * /metrics.
 */
class FunctionMetricsTest {
  @TempDir Path data;

  public static class CountingFunction {
    @FunctionName("countsItself")
    public String run(
        @HttpTrigger(
                name = "req",
                methods = {HttpMethod.GET},
                authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request) {
      Metrics.counter("function_own_calls_total").increment();
      return "counted";
    }
  }

  @Test
  void functionMetersAppearOnMetricsWhileTheHostRuns() throws Exception {
    long before = prometheusRegistries();
    VeilHost host =
        Http.start(
            new HostOptions().port(0).dataDirectory(data).functionClass(CountingFunction.class));
    try {
      assertEquals(200, Http.get(host, "/api/countsItself").statusCode());
      assertEquals(200, Http.get(host, "/api/countsItself").statusCode());
      String metrics = Http.get(host, "/metrics").body();
      assertTrue(
          metrics
              .lines()
              .anyMatch(l -> l.startsWith("function_own_calls_total") && l.endsWith(" 2.0")),
          metrics);
    } finally {
      Http.await(host.close());
    }
    assertEquals(
        before, prometheusRegistries(), "the host's registry leaves the global registry at close");
  }

  private static long prometheusRegistries() {
    return Metrics.globalRegistry.getRegistries().stream()
        .filter(r -> r instanceof PrometheusMeterRegistry)
        .count();
  }
}
