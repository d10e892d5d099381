package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.HostOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trigger settings the host cannot honour stop the start with a message naming them. */
class HttpTriggerStartTest {
  @TempDir Path data;

  public static class BinaryAsString {
    @FunctionName("binaryAsString")
    public String run(
        @HttpTrigger(name = "req", dataType = "binary", authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request) {
      return "unreachable";
    }
  }

  public static class UnknownConstraint {
    @FunctionName("unknownConstraint")
    public String run(
        @HttpTrigger(
                name = "req",
                route = "items/{id:min(1)}",
                authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<String>> request) {
      return "unreachable";
    }
  }

  @Test
  void binaryDataTypeNeedsAByteArrayBody() {
    String message = startFailure(BinaryAsString.class);
    assertTrue(
        message.contains("binaryAsString")
            && message.contains("dataType \"binary\"")
            && message.contains("java.lang.String"),
        message);
  }

  @Test
  void unsupportedRouteConstraintIsNamed() {
    String message = startFailure(UnknownConstraint.class);
    assertTrue(message.contains("unsupported constraint ':min(1)'"), message);
  }

  private String startFailure(Class<?> functions) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                Http.start(new HostOptions().port(0).dataDirectory(data).functionClass(functions)));
    return e.getCause().getMessage();
  }
}
