package dev.veil.runtime.routing;

import dev.veil.runtime.cluster.ClusterMembership;
import dev.veil.runtime.cluster.ClusterMembership.Choice;
import dev.veil.runtime.spi.Invocation;
import dev.veil.runtime.spi.InvocationCodec;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.InvocationResult;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.RemoteInput;
import dev.veil.runtime.spi.TriggerInput;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The invoker of a clustered host: an invocation whose input is a {@link RemoteInput} runs on the
 * node the membership chooses among those hosting the function; when that is another node, the
 * invocation travels as one event bus request to that node's address {@code veil.invoke.<nodeId>},
 * whose own {@code ClusteredInvoker} runs it with its local invoker and replies with the encoded
 * return value. The trigger already authorized and bounded the event where it arrived; the
 * receiving node runs it as it is (the invoker still applies its concurrency limit, retries and
 * timeout there).
 *
 * <p>If the chosen node leaves before answering, an idempotent input (or any, with the cluster's
 * {@code replayHttp}) runs again on another node; otherwise the caller gets a failure saying it was
 * not replayed.
 */
public final class ClusteredInvoker implements Invoker {
  private static final Logger LOG = LoggerFactory.getLogger(ClusteredInvoker.class);
  private static final String FUNCTION = "fn";
  private static final String ID = "id";
  private static final String BINDING_DATA = "bd";
  private static final String METADATA = "md";
  private static final String ATTEMPTS = "attempts";

  /**
   * Reply failure codes at or above this carry an {@link InvocationFailure.Kind} (code - base =
   * ordinal).
   */
  private static final int FAILURE_CODE_BASE = 1000;

  private final Vertx vertx;
  private final Invoker local;
  private final ClusterMembership membership;
  private final Duration sendTimeout;
  private final Map<String, InvocationCodec> codecs = new ConcurrentHashMap<>();
  private MessageConsumer<Buffer> consumer;

  /**
   * @param sendTimeout how long the receiving node may take to answer (beyond the function's own
   *     timeout)
   */
  public ClusteredInvoker(
      Vertx vertx, Invoker local, ClusterMembership membership, Duration sendTimeout) {
    this.vertx = vertx;
    this.local = local;
    this.membership = membership;
    this.sendTimeout = sendTimeout;
  }

  /**
   * Starts running invocations other nodes send here; call before the membership publishes this
   * node.
   */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(address(membership.nodeId()), this::serve);
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer != null ? consumer.unregister() : Future.succeededFuture();
  }

  @Override
  public Future<InvocationResult> invoke(Invocation invocation) {
    return local.invoke(invocation);
  }

  @Override
  public boolean hasCapacity() {
    return local.hasCapacity();
  }

  @Override
  public Invoker routed(String function, InvocationCodec codec) {
    codecs.put(function, codec);
    return new Invoker() {
      @Override
      public Future<InvocationResult> invoke(Invocation invocation) {
        return route(invocation, codec);
      }

      @Override
      public boolean hasCapacity() {
        return local.hasCapacity();
      }
    };
  }

  private Future<InvocationResult> route(Invocation invocation, InvocationCodec codec) {
    if (!(invocation.trigger() instanceof RemoteInput input)) return local.invoke(invocation);
    List<String> candidates = membership.hosting(invocation.functionName());
    if (candidates.isEmpty()
        || candidates.size() == 1 && candidates.contains(membership.nodeId())) {
      return local.invoke(invocation);
    }
    return attempt(invocation, input, null, codec, new ArrayList<>(candidates), System.nanoTime());
  }

  private Future<InvocationResult> attempt(
      Invocation invocation,
      RemoteInput input,
      Buffer encoded,
      InvocationCodec codec,
      List<String> candidates,
      long started) {
    Choice choice = membership.choose(candidates, input.placementKey());
    if (choice.node().equals(membership.nodeId()))
      return local.invoke(invocation).andThen(ar -> choice.done());
    Buffer payload = encoded != null ? encoded : input.encode();
    return send(choice.node(), invocation, payload)
        .transform(
            ar -> {
              choice.done();
              if (ar.succeeded())
                return Future.succeededFuture(result(invocation, codec, ar.result(), started));
              // Anything but the target's own answer (RECIPIENT_FAILURE) or a timeout means it
              // never ran there.
              Throwable cause = ar.cause();
              ReplyException reply = cause instanceof ReplyException re ? re : null;
              if (reply == null
                  || reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
                      && reply.failureType() != ReplyFailure.TIMEOUT) {
                candidates.remove(choice.node());
                boolean replayable = input.idempotent() || membership.settings().replayHttp();
                if (replayable && !candidates.isEmpty()) {
                  LOG.info(
                      "function={} invocation={} runs again on another node: {}",
                      invocation.functionName(),
                      invocation.id(),
                      cause.getMessage());
                  return attempt(invocation, input, payload, codec, candidates, started);
                }
                return Future.failedFuture(
                    new InvocationFailure(
                        InvocationFailure.Kind.SHUTTING_DOWN,
                        invocation.id(),
                        "the node serving this request left the cluster; "
                            + (replayable
                                ? "no other node hosts the function"
                                : "the request was not replayed (set veil.cluster.replayHttp to replay)"),
                        null));
              }
              if (reply.failureType() == ReplyFailure.TIMEOUT) {
                return Future.failedFuture(
                    new InvocationFailure(
                        InvocationFailure.Kind.TIMEOUT,
                        invocation.id(),
                        "the node serving this request did not answer in time",
                        null));
              }
              InvocationFailure failure = failure(invocation, choice.node(), reply);
              candidates.remove(choice.node());
              if (failure.kind() == InvocationFailure.Kind.SHUTTING_DOWN && !candidates.isEmpty()) {
                return attempt(
                    invocation,
                    input,
                    payload,
                    codec,
                    candidates,
                    started); // nothing ran on a draining node
              }
              return Future.failedFuture(failure);
            });
  }

  private Future<Message<Buffer>> send(String node, Invocation invocation, Buffer payload) {
    DeliveryOptions options =
        new DeliveryOptions()
            .setSendTimeout(sendTimeout.toMillis())
            .addHeader(FUNCTION, invocation.functionName())
            .addHeader(ID, invocation.id());
    if (!invocation.bindingData().isEmpty())
      options.addHeader(
          BINDING_DATA, new JsonObject(new HashMap<>(invocation.bindingData())).encode());
    if (!invocation.metadata().isEmpty())
      options.addHeader(METADATA, new JsonObject(new HashMap<>(invocation.metadata())).encode());
    Promise<Message<Buffer>> answer = Promise.promise();
    Runnable unwatch = membership.failWhenGone(node, answer);
    vertx
        .eventBus()
        .<Buffer>request(address(node), payload, options)
        .onComplete(
            ar -> {
              unwatch.run();
              if (ar.succeeded()) answer.tryComplete(ar.result());
              else answer.tryFail(ar.cause());
            });
    return answer.future();
  }

  private static InvocationResult result(
      Invocation invocation, InvocationCodec codec, Message<Buffer> reply, long started) {
    String attempts = reply.headers().get(ATTEMPTS);
    return new InvocationResult(
        invocation.id(),
        codec.decodeResult(reply.body()),
        attempts == null ? 1 : Integer.parseInt(attempts),
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static InvocationFailure failure(
      Invocation invocation, String node, ReplyException reply) {
    int kind = reply.failureCode() - FAILURE_CODE_BASE;
    InvocationFailure.Kind[] kinds = InvocationFailure.Kind.values();
    if (kind >= 0 && kind < kinds.length)
      return new InvocationFailure(kinds[kind], invocation.id(), reply.getMessage(), null);
    LOG.warn(
        "function={} invocation={} failed on node {}: {}",
        invocation.functionName(),
        invocation.id(),
        node,
        reply.getMessage());
    return new InvocationFailure(
        InvocationFailure.Kind.FUNCTION_ERROR,
        invocation.id(),
        "node " + node + " could not run the invocation: " + reply.getMessage(),
        null);
  }

  /** Runs an invocation another node sent; the sender already authorized and bounded it. */
  private void serve(Message<Buffer> msg) {
    String function = msg.headers().get(FUNCTION);
    String id = msg.headers().get(ID);
    InvocationCodec codec = function == null ? null : codecs.get(function);
    if (codec == null || id == null) {
      fail(
          msg,
          new InvocationFailure(
              InvocationFailure.Kind.NOT_FOUND,
              id,
              "function '" + function + "' does not run on node " + membership.nodeId(),
              null));
      return;
    }
    TriggerInput input;
    Map<String, Object> bindingData;
    Map<String, String> metadata = new HashMap<>();
    try {
      input = codec.decodeInput(msg.body());
      String bd = msg.headers().get(BINDING_DATA);
      bindingData = bd == null ? Map.of() : new JsonObject(bd).getMap();
      String md = msg.headers().get(METADATA);
      if (md != null)
        new JsonObject(md).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    } catch (InvocationFailure e) {
      fail(msg, e);
      return;
    } catch (RuntimeException e) {
      fail(
          msg,
          InvocationFailure.badInput(
              "the invocation could not be read on node "
                  + membership.nodeId()
                  + ": "
                  + e.getMessage()));
      return;
    }
    local
        .invoke(new Invocation(function, id, input, bindingData, metadata))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                fail(
                    msg,
                    ar.cause() instanceof InvocationFailure f
                        ? f
                        : new InvocationFailure(
                            InvocationFailure.Kind.FUNCTION_ERROR,
                            id,
                            String.valueOf(ar.cause().getMessage()),
                            ar.cause()));
                return;
              }
              Buffer body;
              try {
                body = codec.encodeResult(ar.result().returnValue());
              } catch (RuntimeException e) {
                LOG.warn(
                    "function={} invocation={} returned a value that cannot be sent: {}",
                    function,
                    id,
                    e.toString());
                fail(
                    msg,
                    new InvocationFailure(
                        InvocationFailure.Kind.FUNCTION_ERROR,
                        id,
                        "the function's result could not be serialized",
                        e));
                return;
              }
              msg.reply(
                  body,
                  new DeliveryOptions()
                      .addHeader(ATTEMPTS, Integer.toString(ar.result().attempts())));
            });
  }

  private static void fail(Message<Buffer> msg, InvocationFailure failure) {
    msg.fail(FAILURE_CODE_BASE + failure.kind().ordinal(), failure.getMessage());
  }

  private static String address(String node) {
    return "veil.invoke." + node;
  }
}
