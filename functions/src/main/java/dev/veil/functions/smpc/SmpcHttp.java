package dev.veil.functions.smpc;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/** The roles' HTTP calls to each other: one JDK client per process, bounded by the session timeout. */
final class SmpcHttp {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private SmpcHttp() {}

  /**
   * POSTs {@code body} and returns the answer's body on 2xx.
   *
   * @throws SmpcFailure 502 naming {@code who} when it is unreachable or refuses, 504 when it does not answer in time
   */
  static byte[] post(String who, URI uri, byte[] body, Map<String, String> headers, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("content-type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    HttpResponse<byte[]> r;
    try {
      r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new SmpcFailure(504, who + " at " + uri.getAuthority() + " did not answer within " + timeout.toMillis() + " ms");
    } catch (ConnectException e) {
      throw new SmpcFailure(502, who + " at " + uri.getAuthority() + " is unreachable (connection refused)");
    } catch (IOException e) {
      throw new SmpcFailure(502, who + " at " + uri.getAuthority() + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmpcFailure(503, "interrupted while calling " + who);
    }
    if (r.statusCode() / 100 != 2) {
      String text = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
      throw new SmpcFailure(502, who + " refused the request (" + r.statusCode() + "): "
          + (text.length() > 300 ? text.substring(0, 300) : text));
    }
    return r.body();
  }
}
