package dev.veil.runtime.spi;

import io.vertx.core.buffer.Buffer;

/**
 * How one function's invocations cross between cluster nodes, supplied by its trigger: the node
 * that runs the function decodes the input and encodes the return value; the node that received the
 * event decodes that value and answers with it as if the function had run there.
 */
public interface InvocationCodec {

  /**
   * The input from {@link RemoteInput#encode()}; throw {@link InvocationFailure#badInput} if it
   * cannot be read.
   */
  TriggerInput decodeInput(Buffer encoded);

  /**
   * The function's return value as bytes; throw when it cannot be sent (the caller sees a function
   * error).
   */
  Buffer encodeResult(Object returnValue);

  /** The value {@link #encodeResult} encoded, in a form the trigger answers with. */
  Object decodeResult(Buffer encoded);
}
