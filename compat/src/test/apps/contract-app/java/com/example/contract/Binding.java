package com.example.contract;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.TraceContext;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FixedDelayRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** POJO binding, the execution context, and a retry annotation on an HTTP function. */
public class Binding {
  static final AtomicInteger FAILING_CALLS = new AtomicInteger();

  @FunctionName("bindOrder")
  public String bindOrder(@HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<Order>> request) {
    return request.getBody().map(Order::describe).orElse("(no body)");
  }

  @FunctionName("bindLine")
  public String bindLine(@HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<Line>> request) {
    return request.getBody().map(Line::toString).orElse("(no body)");
  }

  @FunctionName("context")
  public String context(@HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request, ExecutionContext context) {
    context.getLogger().info("context function ran as " + context.getInvocationId());
    TraceContext trace = context.getTraceContext();
    return context.getFunctionName() + "|" + context.getInvocationId() + "|" + trace.getTraceparent() + "|"
        + trace.getTracestate() + "|" + context.getRetryContext().getRetrycount();
  }

  @FunctionName("failsWithRetry")
  @FixedDelayRetry(maxRetryCount = 3, delayInterval = "00:00:00.010")
  public String failsWithRetry(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    throw new IllegalStateException("failure number " + FAILING_CALLS.incrementAndGet());
  }

  @FunctionName("failingCalls")
  public String failingCalls(
      @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS)
      HttpRequestMessage<Optional<String>> request) {
    return String.valueOf(FAILING_CALLS.get());
  }
}
