package com.example.guice;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import jakarta.inject.Inject;
import java.util.Optional;

/** No no-argument constructor: only an injector can make this one. */
public class ConstructorInjected {
  private final Greeter greeter;

  @Inject
  public ConstructorInjected(Greeter greeter) {
    this.greeter = greeter;
  }

  @FunctionName("greetConstructor")
  public String run(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return greeter.greet(request.getQueryParameters().getOrDefault("name", "nobody"));
  }
}
