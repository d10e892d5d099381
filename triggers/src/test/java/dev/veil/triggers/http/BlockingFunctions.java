package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Functions that hold a worker thread until the test lets them go. */
public class BlockingFunctions {
  static final Semaphore ENTERED = new Semaphore(0);
  static volatile CountDownLatch release = new CountDownLatch(1);

  @FunctionName("block")
  public String block(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request)
      throws InterruptedException {
    ENTERED.release();
    if (!release.await(60, TimeUnit.SECONDS))
      throw new IllegalStateException("the test never released the function");
    return "released";
  }

  @FunctionName("sleepForever")
  public String sleepForever(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request)
      throws InterruptedException {
    Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    return "woke up";
  }

  @FunctionName("quick")
  public String quick(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request) {
    return "quick";
  }
}
