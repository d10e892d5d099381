package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP function that holds its request until the test lets it go, counting how many run at once.
 */
public class ThrottledFunctions {
  static final Semaphore ENTERED = new Semaphore(0);
  static final CountDownLatch RELEASE = new CountDownLatch(1);
  static final AtomicInteger RUNNING = new AtomicInteger();
  static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

  @FunctionName("held")
  public String held(
      @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS)
          HttpRequestMessage<Optional<String>> request)
      throws InterruptedException {
    MOST_AT_ONCE.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
    try {
      ENTERED.release();
      if (!RELEASE.await(60, TimeUnit.SECONDS))
        throw new IllegalStateException("the test never released the function");
      return "released";
    } finally {
      RUNNING.decrementAndGet();
    }
  }
}
