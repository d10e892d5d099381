package dev.veil.compat;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;

/**
 * A function on the host's own class path (the test classes are on it), standing in for Veil's
 * built-in functions: a host given an app must not serve it.
 */
public class BuiltinProbe {
  @FunctionName("builtinProbe")
  public String run(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return "built in";
  }
}
