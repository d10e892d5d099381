package dev.veil.cluster.invokefn;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Map;
import java.util.Optional;

/** Functions whose answers show whether an invocation run on another node comes back intact. */
public final class InvokeFunctions {

  /** 201 with a header of its own and a JSON body echoing the request's query, header and body. */
  @FunctionName("echo")
  public HttpResponseMessage echo(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "echo/{tenant}")
          HttpRequestMessage<Optional<String>> request) {
    return request
        .createResponseBuilder(HttpStatus.CREATED)
        .header("x-echo", "yes")
        .body(
            Map.of(
                "q",
                request.getQueryParameters().getOrDefault("q", ""),
                "h",
                request.getHeaders().getOrDefault("x-in", ""),
                "body",
                request.getBody().orElse(""),
                "uri",
                request.getUri().getPath()))
        .build();
  }

  /** Bad input: the caller gets 400 with this message wherever it ran. */
  @FunctionName("refuse")
  public String refuse(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "refuse")
          HttpRequestMessage<Optional<String>> request) {
    throw new IllegalArgumentException("refused: the input is wrong");
  }
}
