package dev.veil.triggers.bench.edge;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;

/**
 * The one function of EdgeBenchmark's host: takes a body, so a trickled upload meets the body
 * timeout.
 */
public class EdgeBenchFunctions {
  @FunctionName("echo")
  public String echo(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return request.getBody().orElse("");
  }
}
