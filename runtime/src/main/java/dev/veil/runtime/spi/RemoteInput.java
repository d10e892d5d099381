package dev.veil.runtime.spi;

import io.vertx.core.buffer.Buffer;

/**
 * A trigger input that may run on another node of the cluster: the trigger has already authorized
 * and bounded the event at the edge, and here says how to carry it and where it should go. The
 * receiving node trusts it (cluster traffic is admitted by the cluster secret and, where
 * configured, mutual TLS) and rebuilds it with the function's {@link InvocationCodec}. Inputs that
 * are not remote run where they arise.
 */
public interface RemoteInput extends TriggerInput {

  /**
   * The event as bytes for {@link InvocationCodec#decodeInput}; called at most once per attempt.
   */
  Buffer encode();

  /**
   * The key that picks the owning node (see {@link AffinityKey}), or {@code null} for the least
   * loaded node.
   */
  String placementKey();

  /**
   * Whether the invocation may run again on another node when the node it was sent to left before
   * answering (it may have run there). The cluster's {@code replayHttp} setting replays the others
   * too.
   */
  boolean idempotent();
}
