package dev.veil.runtime.host;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.RetryContext;
import com.microsoft.azure.functions.RpcException;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The {@code ExecutionContext} a function receives: its name, the invocation id, a logger that tags lines with the id. */
final class InvocationContext implements ExecutionContext {
  private final String functionName;
  private final String invocationId;
  private final int retryCount;
  private final int maxRetryCount;
  private Logger logger;

  InvocationContext(String functionName, String invocationId, int retryCount, int maxRetryCount) {
    this.functionName = functionName;
    this.invocationId = invocationId;
    this.retryCount = retryCount;
    this.maxRetryCount = maxRetryCount;
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
      @Override public int getRetrycount() { return retryCount; }
      @Override public int getMaxretrycount() { return maxRetryCount; }
      @Override public RpcException getException() { return null; }
    };
  }

  /** Forwards to the logger {@code Function.<name>} with the invocation id in front of each message. */
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
