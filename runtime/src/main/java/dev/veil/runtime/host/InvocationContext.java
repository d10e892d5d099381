package dev.veil.runtime.host;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.RetryContext;
import com.microsoft.azure.functions.RpcException;
import com.microsoft.azure.functions.TraceContext;
import java.util.Map;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The {@code ExecutionContext} a function receives: its name, the invocation id, a logger that tags
 * lines with the id, the retry count and the trace context.
 */
final class InvocationContext implements ExecutionContext {
  /** Invocation metadata keys under which triggers hand over a caller's W3C trace context. */
  static final String TRACEPARENT = "traceparent";

  static final String TRACESTATE = "tracestate";
  private static final Pattern VALID_TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private final String functionName;
  private final String invocationId;
  private final int retryCount;
  private final int maxRetryCount;
  private final Map<String, String> metadata;
  private Logger logger;

  InvocationContext(
      String functionName,
      String invocationId,
      int retryCount,
      int maxRetryCount,
      Map<String, String> metadata) {
    this.functionName = functionName;
    this.invocationId = invocationId;
    this.retryCount = retryCount;
    this.maxRetryCount = maxRetryCount;
    this.metadata = metadata;
  }

  /**
   * The W3C trace context: the caller's {@code traceparent} / {@code tracestate} when the trigger
   * carried them (HTTP headers), else a new trace whose id is the invocation id, as the Azure host
   * starts one per invocation.
   */
  @Override
  public TraceContext getTraceContext() {
    String parent = metadata.get(TRACEPARENT);
    String traceparent =
        parent != null && VALID_TRACEPARENT.matcher(parent).matches()
            ? parent
            : "00-"
                + invocationId.replace("-", "")
                + "-"
                + invocationId.replace("-", "").substring(16)
                + "-01";
    String tracestate = parent != null ? metadata.getOrDefault(TRACESTATE, "") : "";
    Map<String, String> attributes =
        Map.of("InvocationId", invocationId, "FunctionName", functionName);
    return new TraceContext() {
      @Override
      public String getTraceparent() {
        return traceparent;
      }

      @Override
      public String getTracestate() {
        return tracestate;
      }

      @Override
      public Map<String, String> getAttributes() {
        return attributes;
      }
    };
  }

  @Override
  public Logger getLogger() {
    if (logger == null) logger = new InvocationLogger(functionName, invocationId);
    return logger;
  }

  @Override
  public String getInvocationId() {
    return invocationId;
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  @Override
  public RetryContext getRetryContext() {
    return new RetryContext() {
      @Override
      public int getRetrycount() {
        return retryCount;
      }

      @Override
      public int getMaxretrycount() {
        return maxRetryCount;
      }

      @Override
      public RpcException getException() {
        return null;
      }
    };
  }

  /**
   * Forwards to the logger {@code Function.<name>} with the invocation id in front of each message.
   */
  private static final class InvocationLogger extends Logger {
    private final String prefix;

    InvocationLogger(String functionName, String invocationId) {
      super(null, null);
      this.prefix = "[" + invocationId + "] ";
      setParent(Logger.getLogger("Function." + functionName));
    }

    @Override
    public void log(LogRecord record) {
      record.setMessage(prefix + record.getMessage());
      record.setLoggerName(getParent().getName());
      super.log(record);
    }
  }
}
