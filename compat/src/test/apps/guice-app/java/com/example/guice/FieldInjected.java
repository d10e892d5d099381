package com.example.guice;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import jakarta.inject.Inject;
import java.util.Optional;

/** A function whose service arrives in a field. */
public class FieldInjected {
  @Inject
  Greeter greeter;

  @FunctionName("greetField")
  public String run(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return greeter.greet(request.getQueryParameters().getOrDefault("name", "nobody"));
  }
}
