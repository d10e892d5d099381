package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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
  void binaryDataTypeNeedsAByteArrayBody() throws Exception {
    String message = startFailure(BinaryAsString.class);
    assertTrue(
        message.contains("binaryAsString")
            && message.contains("dataType \"binary\"")
            && message.contains("java.lang.String"),
        message);
  }

  @Test
  void unsupportedRouteConstraintIsNamed() throws Exception {
    String message = startFailure(UnknownConstraint.class);
    assertTrue(message.contains("unsupported constraint ':min(1)'"), message);
  }

  /** The host starts without the function, which is listed as disabled with the reason. */
  private String startFailure(Class<?> functions) throws Exception {
    VeilHost host =
        Http.start(new HostOptions().port(0).dataDirectory(data).functionClass(functions));
    try {
      Map<String, String> disabled = host.disabledFunctions();
      assertEquals(1, disabled.size(), String.valueOf(disabled));
      return disabled.entrySet().iterator().next().toString();
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
