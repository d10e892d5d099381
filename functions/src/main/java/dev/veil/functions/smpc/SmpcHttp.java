package dev.veil.functions.smpc;

import dev.veil.runtime.spi.tls.PemCredentials;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * The roles' HTTP calls to each other, bounded by the session timeout. With a certificate in the
 * settings the client presents it (mutual TLS: the other role's listener requires a client
 * certificate from the roles' CA) and trusts only that CA for the other role's certificate.
 */
final class SmpcHttp {
  private final HttpClient client;

  SmpcHttp(SmpcSettings settings) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5));
    if (settings.tlsCertificate() != null || settings.tlsKey() != null) {
      // Over TLS the hosts offer HTTP/2 by ALPN: one multiplexed connection per peer. Plain HTTP
      // stays on 1.1, since the hosts do not speak cleartext HTTP/2 (h2c).
      b.sslContext(context(settings)).version(HttpClient.Version.HTTP_2);
    }
    this.client = b.build();
  }

  /** An SSL context presenting this role's certificate and trusting only the roles' CA. */
  private static SSLContext context(SmpcSettings s) {
    if (s.tlsCertificate() == null || s.tlsKey() == null || s.tlsCa() == null) {
      throw new IllegalStateException(
          "mutual TLS between the SMPC roles needs "
              + SmpcSettings.TLS_CERTIFICATE
              + ", "
              + SmpcSettings.TLS_KEY
              + " and "
              + SmpcSettings.TLS_CA
              + " (or the host's VEIL_TLS_* files) together");
    }
    return mutualTls(s.tlsCertificate(), s.tlsKey(), s.tlsCa());
  }

  /**
   * An SSL context that presents {@code certificate} (PEM chain) with {@code key} and trusts only
   * the CAs in {@code ca}: a role's calls, or a client's calls to parties that require client
   * certificates.
   */
  static SSLContext mutualTls(Path certificate, Path key, Path ca) {
    // the same checks (and error messages naming the file) as the host's own listener
    return PemCredentials.load(certificate, key, ca, Instant.now()).sslContext();
  }

  /**
   * POSTs {@code body} and returns the answer on 2xx.
   *
   * @throws SmpcFailure 502 naming {@code who} when it is unreachable, refuses or fails the TLS
   *     handshake, 504 when it does not answer in time
   */
  HttpResponse<byte[]> post(
      String who, URI uri, byte[] body, Map<String, String> headers, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("content-type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    HttpResponse<byte[]> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new SmpcFailure(
          504,
          who
              + " at "
              + uri.getAuthority()
              + " did not answer within "
              + timeout.toMillis()
              + " ms");
    } catch (ConnectException e) {
      throw new SmpcFailure(
          502, who + " at " + uri.getAuthority() + " is unreachable (connection refused)");
    } catch (SSLHandshakeException e) {
      throw new SmpcFailure(
          502,
          "the TLS handshake with "
              + who
              + " at "
              + uri.getAuthority()
              + " failed: "
              + e.getMessage());
    } catch (IOException e) {
      throw new SmpcFailure(502, who + " at " + uri.getAuthority() + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SmpcFailure(503, "interrupted while calling " + who);
    }
    if (r.statusCode() / 100 != 2) {
      String text = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
      throw new SmpcFailure(
          502,
          who
              + " refused the request ("
              + r.statusCode()
              + "): "
              + (text.length() > 300 ? text.substring(0, 300) : text));
    }
    return r;
  }
}
