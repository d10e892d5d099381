package dev.veil.functions.smpc;

import dev.veil.smpc.Channel;
import dev.veil.smpc.Wire;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The link between the two compute parties over HTTP: each round POSTs this party's words to the
 * peer's {@code smpc/exchange/{session}/{round}} (authenticated with the session key of the
 * parties' link) and then waits for the peer's words for the same round in this party's inbox.
 */
final class HttpPeerChannel implements Channel {
  static final String FROM = "x-veil-smpc-from";
  static final String MODEL = "x-veil-smpc-model";

  private final int party;
  private final URI peer;
  private final SmpcHttp http;
  private final SessionKeys keys;
  private final PartySessions.Session session;
  private final String modelVersion;
  private final Duration timeout;
  private int round;

  HttpPeerChannel(
      int party,
      URI peer,
      SmpcHttp http,
      SessionKeys keys,
      PartySessions.Session session,
      String modelVersion,
      Duration timeout) {
    this.party = party;
    this.peer = peer;
    this.http = http;
    this.keys = keys;
    this.session = session;
    this.modelVersion = modelVersion;
    this.timeout = timeout;
  }

  /** What a message's tag covers besides its body. */
  static String context(int round, int from, String modelVersion) {
    return "exchange|" + round + "|" + from + "|" + modelVersion;
  }

  @Override
  public long[] exchange(long[] mine) {
    int r = round++;
    byte[] body = Wire.toBytes(mine);
    http.post(
        "party " + (1 - party),
        URI.create(peer + "/smpc/exchange/" + session.id + "/" + r),
        body,
        Map.of(
            FROM,
            Integer.toString(party),
            MODEL,
            modelVersion,
            SessionKeys.HEADER,
            keys.mac(session.id, context(r, party, modelVersion), body)),
        timeout);
    byte[] theirs = session.await(r);
    if (theirs.length != body.length) {
      throw new SmpcFailure(
          502,
          "party "
              + (1 - party)
              + " sent "
              + theirs.length / 8
              + " values in round "
              + r
              + ", expected "
              + mine.length);
    }
    return Wire.fromBytes(theirs);
  }
}
