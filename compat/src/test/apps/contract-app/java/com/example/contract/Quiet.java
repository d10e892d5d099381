package com.example.contract;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;

/** Logs at two levels; host.json logging.logLevel keeps only its warnings. */
public class Quiet {
  @FunctionName("quiet")
  public String quiet(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request, ExecutionContext context) {
    context.getLogger().info("quiet information line");
    context.getLogger().warning("quiet warning line");
    return "logged";
  }
}
