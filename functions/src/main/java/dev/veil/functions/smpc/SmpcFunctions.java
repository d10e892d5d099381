package dev.veil.functions.smpc;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.functions.StandaloneScope;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.RunsWhereCalled;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Secure serving by secret sharing (seed 004): the three roles as HTTP functions. A host plays the
 * role its {@value SmpcSettings#ROLE} setting names; the other roles' routes answer 404 there.
 *
 * <ul>
 *   <li>{@code GET smpc/status}: the role, its sessions in progress (the provider: and sessions
 *       dealt ahead), the JVM's thread count.
 *   <li>{@code GET smpc/model/{name}} (party): the model's public facts (version, sizes, fractional
 *       bits).
 *   <li>{@code POST smpc/predict} (party, from the client): {@code {session, model, version, rows,
 *       share[, labels]}} → output shares {@code {scores, argmax}} (base64 words), or with labels
 *       the opened correct count.
 *   <li>{@code POST smpc/exchange/{session}/{round}} (party, from the peer party): one round's
 *       words.
 *   <li>{@code POST smpc/announce/{session}} (party 1, from party 0): which pre-dealt session the
 *       request uses.
 *   <li>{@code POST smpc/prefetch/{session}} (party 1, from party 0, ahead of requests): fetch your
 *       material of pre-dealt session {@code session} now.
 *   <li>{@code POST smpc/material/{session}/{party}} (provider, from a party): the party's dealt
 *       bundle, authenticated on the way back.
 * </ul>
 *
 * Role-to-role calls are authenticated per link and session ({@link SessionKeys}) instead of by
 * function keys, and travel over mutual TLS where the hosts serve HTTPS with client certificates
 * required.
 */
public class SmpcFunctions {
  private final HostScope scope;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public SmpcFunctions() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: the host's scope (its app settings name this host's role). */
  public SmpcFunctions(HostScope scope) {
    this.scope = scope;
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-model")
  public HttpResponseMessage model(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "smpc/model/{name}")
          HttpRequestMessage<Optional<String>> request,
      @BindingName("name") String name) {
    return answer(request, () -> SmpcParty.of(scope).info(name));
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-status")
  public HttpResponseMessage status(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.GET},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "smpc/status")
          HttpRequestMessage<Optional<String>> request) {
    return answer(
        request,
        () -> {
          SmpcSettings s = SmpcSettings.of(scope);
          if (s.role() == null) {
            throw new SmpcFailure(
                404, "this host serves no SMPC role (" + SmpcSettings.ROLE + " is unset)");
          }
          if (s.party() >= 0) {
            SmpcParty party = SmpcParty.of(scope);
            return Map.of(
                "role",
                s.role(),
                "liveSessions",
                party.sessions().liveCount(),
                "prefetched",
                party.prefetchedCount(),
                "threads",
                Thread.activeCount());
          }
          ProviderSessions sessions = SmpcProvider.of(scope).sessions();
          return Map.of(
              "role",
              s.role(),
              "liveSessions",
              sessions.pendingCount(),
              "readyMaterial",
              sessions.readyCount(),
              "threads",
              Thread.activeCount());
        });
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-predict")
  public HttpResponseMessage predict(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "smpc/predict")
          HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    return answer(
        request,
        () -> {
          SmpcParty party = SmpcParty.of(scope);
          return party.predict(party.parse(request.getBody().orElse(null)));
        });
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-exchange")
  public HttpResponseMessage exchange(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "smpc/exchange/{session}/{round}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      @BindingName("session") String session,
      @BindingName("round") String round) {
    return peerMessage(
        request,
        session,
        (party, id, from, version, tag, body) ->
            party.receive(id, round, from, version, tag, body));
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-announce")
  public HttpResponseMessage announce(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "smpc/announce/{session}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      @BindingName("session") String session) {
    return peerMessage(request, session, SmpcParty::announce);
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-prefetch")
  public HttpResponseMessage prefetch(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "smpc/prefetch/{session}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      @BindingName("session") String session) {
    return peerMessage(request, session, SmpcParty::prefetch);
  }

  @RunsWhereCalled // the roles publish the same functions but are not interchangeable
  @FunctionName("smpc-material")
  public HttpResponseMessage material(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.ANONYMOUS,
              route = "smpc/material/{session}/{party}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      @BindingName("session") String session,
      @BindingName("party") String party) {
    try {
      SmpcProvider.Bundle bundle =
          SmpcProvider.of(scope)
              .material(
                  session,
                  party,
                  header(request, HttpPeerChannel.MODEL),
                  header(request, SessionKeys.HEADER),
                  request.getBody().orElse(new byte[0]));
      return request
          .createResponseBuilder(HttpStatus.OK)
          .header("Content-Type", "application/octet-stream")
          .header(SessionKeys.HEADER, bundle.mac())
          .body(bundle.bytes())
          .build();
    } catch (SmpcFailure e) {
      return error(request, e);
    }
  }

  private static String header(HttpRequestMessage<?> request, String name) {
    for (Map.Entry<String, String> h : request.getHeaders().entrySet()) {
      if (h.getKey().equalsIgnoreCase(name)) {
        return h.getValue();
      }
    }
    return null;
  }

  /** A message from the other party, authenticated by the party: sender, model version, tag. */
  private interface PeerMessage {
    void take(
        SmpcParty party, String session, String from, String version, String tag, byte[] body);
  }

  private HttpResponseMessage peerMessage(
      HttpRequestMessage<Optional<byte[]>> request, String session, PeerMessage message) {
    return answer(
        request,
        () -> {
          message.take(
              SmpcParty.of(scope),
              session,
              header(request, HttpPeerChannel.FROM),
              header(request, HttpPeerChannel.MODEL),
              header(request, SessionKeys.HEADER),
              request.getBody().orElse(new byte[0]));
          return null;
        });
  }

  private static HttpResponseMessage answer(HttpRequestMessage<?> request, Supplier<Object> work) {
    try {
      Object body = work.get();
      return body == null
          ? request.createResponseBuilder(HttpStatus.NO_CONTENT).build()
          : request
              .createResponseBuilder(HttpStatus.OK)
              .header("Content-Type", "application/json")
              .body(body)
              .build();
    } catch (SmpcFailure e) {
      return error(request, e);
    }
  }

  /**
   * The one mapping of the roles' failures (each names its status); any other exception is a bug
   * (500).
   */
  private static HttpResponseMessage error(HttpRequestMessage<?> request, SmpcFailure e) {
    return request
        .createResponseBuilder(HttpStatus.valueOf(e.status()))
        .header("Content-Type", "application/json")
        .body(Map.of("error", e.getMessage()))
        .build();
  }
}
