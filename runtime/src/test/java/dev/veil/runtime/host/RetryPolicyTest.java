package dev.veil.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.BindingExpressions;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void parsesAzureTimeSpans() {
    assertEquals(Duration.ofSeconds(90), RetryPolicy.parseInterval("00:01:30"));
    assertEquals(Duration.ofMillis(250), RetryPolicy.parseInterval("00:00:00.25"));
    assertEquals(Duration.ofDays(1).plusHours(2), RetryPolicy.parseInterval("1.02:00:00"));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.parseInterval("90s"));
  }

  @Test
  void exponentialBackoffDoublesUpToTheMaximum() {
    RetryPolicy policy = new RetryPolicy(-1, Duration.ofSeconds(1), Duration.ofSeconds(5), true);
    assertEquals(Duration.ofSeconds(1), policy.delayBefore(1));
    assertEquals(Duration.ofSeconds(2), policy.delayBefore(2));
    assertEquals(Duration.ofSeconds(4), policy.delayBefore(3));
    assertEquals(Duration.ofSeconds(5), policy.delayBefore(4));
    assertEquals(Duration.ofSeconds(5), policy.delayBefore(100));
    assertEquals(true, policy.allowsRetry(1_000_000), "-1 retries without end");
  }

  @Test
  void bindingExpressionsResolveDataSettingsAndReportWhatIsMissing() {
    AppSettings settings = new AppSettings(Map.of("CONTAINER", "input"));
    assertEquals(
        "input/a/42.json",
        BindingExpressions.resolve(
            "%CONTAINER%/{name}/{id}.json", Map.of("name", "a", "id", 42), settings));
    InvocationFailure missing =
        assertThrows(
            InvocationFailure.class,
            () -> BindingExpressions.resolve("x/{name}", Map.of(), settings));
    assertEquals(InvocationFailure.Kind.BAD_INPUT, missing.kind());
    assertThrows(
        IllegalStateException.class,
        () -> BindingExpressions.resolve("%NOPE%/x", Map.of(), settings));
    assertEquals(36, BindingExpressions.resolve("{rand-guid}", Map.of(), settings).length());
  }
}
