package dev.veil.dashboard;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;

/**
 * The dashboard tests' traffic: a function that answers, one that fails with markup in its message
 * (the log line), one that answers 400, and one whose very name is markup.
 */
public class TrafficFunctions {
  static final String XSS_NAME = "x<script>window.__xss='name'</script>";
  static final String XSS_PROBLEM = "model exploded <script>window.__xss='log'</script>";

  @FunctionName("echo")
  public HttpResponseMessage echo(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET, HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "echo")
          HttpRequestMessage<Optional<String>> request) {
    return request.createResponseBuilder(HttpStatus.OK).body("ok").build();
  }

  @FunctionName("fails")
  public String fails(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "fails")
          HttpRequestMessage<Optional<String>> request) {
    throw new IllegalStateException(XSS_PROBLEM);
  }

  @FunctionName("rejects")
  public HttpResponseMessage rejects(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "rejects")
          HttpRequestMessage<Optional<String>> request) {
    return request.createResponseBuilder(HttpStatus.BAD_REQUEST).body("no").build();
  }

  @FunctionName(XSS_NAME)
  public String markup(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "xss")
          HttpRequestMessage<Optional<String>> request) {
    return "fine";
  }
}
