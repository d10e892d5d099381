package com.example.contract;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;

/** App settings read the way Azure hands them to Java code: environment variables. */
public class Settings {
  @FunctionName("setting")
  public String setting(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    String value = System.getenv(request.getQueryParameters().get("name"));
    return value == null ? "(unset)" : value;
  }
}
