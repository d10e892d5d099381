package dev.veil.functions.encrypted;

/**
 * The wall time of one request's stages inside the function (parse, keys, load, eval, save), sent
 * back as a W3C {@code Server-Timing} header: a client, a browser's developer tools or a benchmark
 * can then tell the server's work from the network, the host and its own code. Not thread-safe: one
 * per request.
 */
final class StageTimes {
  private final StringBuilder header = new StringBuilder(96);
  private long last = System.nanoTime();

  /** Ends the stage running since the previous mark (or since this object was made). */
  void end(String stage) {
    long now = System.nanoTime();
    long micros = (now - last) / 1_000;
    last = now;
    if (!header.isEmpty()) header.append(", ");
    // milliseconds with three decimals, without String.format on the request path
    long fraction = micros % 1_000;
    header.append(stage).append(";dur=").append(micros / 1_000).append('.');
    if (fraction < 100) header.append('0');
    if (fraction < 10) header.append('0');
    header.append(fraction);
  }

  /** The {@code Server-Timing} header value, e.g. {@code keys;dur=0.031, eval;dur=8.812}. */
  String header() {
    return header.toString();
  }
}
