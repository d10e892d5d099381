package dev.veil.deploy;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobInput;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.CosmosDBOutput;
import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.QueueOutput;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import com.microsoft.azure.functions.annotation.StorageAccount;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;

/**
 * Functions using the bindings the bundled functions do not (timer, blob input, retry, method-level
 * outputs).
 */
final class Fixtures {
  private Fixtures() {}

  public static class Covering {
    @FunctionName("nightly")
    @StorageAccount("ArchiveStorage")
    @FixedDelayRetry(maxRetryCount = 3, delayInterval = "00:00:10")
    @BlobOutput(name = "ignored", path = "reports/nightly.json")
    public String nightly(
        @TimerTrigger(name = "tick", schedule = "0 30 2 * * *") String tick,
        @BlobInput(name = "model", path = "models/current.json") String model) {
      return "{}";
    }

    @FunctionName("copy-blob")
    @ExponentialBackoffRetry(
        maxRetryCount = 5,
        minimumInterval = "00:00:01",
        maximumInterval = "00:01:00")
    public void copy(
        @BlobTrigger(
                name = "source",
                path = "in/{name}",
                dataType = "binary",
                connection = "InStorage")
            byte[] source,
        @BindingName("name") String name,
        @BlobOutput(name = "target", path = "out/{name}") OutputBinding<byte[]> target,
        ExecutionContext context) {
      target.setValue(source);
    }

    @FunctionName("enqueue")
    public void enqueue(
        @QueueTrigger(name = "order", queueName = "%OrdersQueue%", connection = "QueueStorage")
            String order,
        @QueueOutput(name = "next", queueName = "shipping-{Id}", connection = "QueueStorage")
            OutputBinding<String> next) {
      next.setValue(order);
    }

    @FunctionName("echo")
    public String echo(
        @HttpTrigger(
                name = "req",
                methods = {HttpMethod.GET, HttpMethod.PUT},
                authLevel = AuthorizationLevel.ANONYMOUS,
                route = "echo/{id}")
            HttpRequestMessage<Optional<String>> request) {
      return "echo";
    }
  }

  /** Bindings Veil does not run, which still package. */
  public static class NotRunOnVeil {
    @FunctionName("queued")
    @CosmosDBOutput(
        name = "doc",
        databaseName = "db",
        containerName = "items",
        connection = "Cosmos")
    public String queued(@QueueTrigger(name = "message", queueName = "work") String message) {
      return message;
    }

    @FunctionName("orchestrate")
    public String orchestrate(
        @Orchestration(name = "context", orchestration = "hello") String context) {
      return context;
    }
  }

  /** A trigger from another library, declared as Durable Functions declares its own. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.PARAMETER)
  @CustomBinding(direction = "in", name = "", type = "orchestrationTrigger")
  public @interface Orchestration {
    String name();

    String orchestration() default "";
  }
}
