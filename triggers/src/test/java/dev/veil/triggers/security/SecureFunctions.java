package dev.veil.triggers.security;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;

/** Functions at each authorization level, for the TLS, key and token tests. */
public class SecureFunctions {
  @FunctionName("open")
  public String open(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "open")
          HttpRequestMessage<Optional<String>> request) {
    return "open";
  }

  @FunctionName("scores")
  public String scores(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET, HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "scores")
          HttpRequestMessage<Optional<String>> request) {
    return "scored";
  }

  @FunctionName("other")
  public String other(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "other")
          HttpRequestMessage<Optional<String>> request) {
    return "other";
  }

  @FunctionName("operate")
  public String operate(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ADMIN,
              route = "operate")
          HttpRequestMessage<Optional<String>> request) {
    return "operated";
  }
}
