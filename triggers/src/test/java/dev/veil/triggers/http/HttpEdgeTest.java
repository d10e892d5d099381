package dev.veil.triggers.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP edge against hostile clients on raw sockets: slow headers, idle keep-alive, trickled
 * bodies, too many connections from one address, oversized lines and headers, a huge declared body.
 * Timeouts are short here; each socket has a read timeout far above them so a connection the host
 * forgets fails the test instead of hanging it.
 */
class HttpEdgeTest {
  private static final int PER_CLIENT = 20;
  @TempDir static Path data;
  static VeilHost host;

  @BeforeAll
  static void startHost() throws Exception {
    JsonObject http =
        new JsonObject()
            .put("headerTimeout", "00:00:01")
            .put("idleTimeout", "00:00:01.5")
            .put("bodyTimeout", "00:00:01")
            .put("minBodyBytesPerSecond", 1000)
            .put("maxConnectionsPerClient", PER_CLIENT)
            .put("maxRequestBodyBytes", 1024 * 1024);
    host =
        Http.start(
            new HostOptions()
                .port(0)
                .dataDirectory(data)
                .functionClass(TestFunctions.class)
                .hostJson(new JsonObject().put("veil", new JsonObject().put("http", http))));
  }

  @AfterAll
  static void stopHost() throws Exception {
    Http.await(host.close());
  }

  /**
   * The body reader starts with a small array and grows it as bytes arrive (to the declared length
   * when there is one): bodies past that first allocation arrive whole, with or without a length.
   */
  @Test
  void bodiesLargerThanTheFirstAllocationArriveWhole() throws Exception {
    byte[] big = new byte[300_001];
    new java.util.Random(7).nextBytes(big);
    byte[] reversed = new byte[big.length];
    for (int i = 0; i < big.length; i++) reversed[i] = big[big.length - 1 - i];
    for (java.net.http.HttpRequest.BodyPublisher body :
        List.of(
            java.net.http.HttpRequest.BodyPublishers.ofByteArray(big),
            java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(big)))) {
      java.net.http.HttpResponse<byte[]> res =
          Http.CLIENT.send(
              Http.request(host, "/api/reverseBytes").POST(body).build(),
              java.net.http.HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, res.statusCode());
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          reversed, res.body(), "a body of length " + body.contentLength() + " (-1: chunked)");
    }
  }

  @Test
  void closesAConnectionThatNeverFinishesItsHeaders() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(socket, "GET /api/hello/slow HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      long start = System.nanoTime();
      assertEquals("", readUntilClosed(socket), "closed without an answer");
      assertTrue(elapsedMillis(start) >= 900, "not before the header timeout");
    }
    assertTrue(metric("veil_http_connections_closed_total{reason=\"header_timeout\"}") >= 1);
  }

  @Test
  void closesAnIdleKeptAliveConnection() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(socket, "GET /api/hello/idle HTTP/1.1\r\nHost: x\r\n\r\n");
      String answer = readResponse(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      long start = System.nanoTime();
      assertEquals("", readUntilClosed(socket), "closed once idle");
      assertTrue(elapsedMillis(start) >= 1400, "not before the idle timeout");
    }
  }

  @Test
  void closesAConnectionTricklingItsBody() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(socket, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
      long start = System.nanoTime();
      boolean closed = false;
      for (int i = 0;
          i < 100 && !closed;
          i++) { // 10 bytes every 100 ms: 100 B/s where 1000 are needed
        try {
          send(socket, "0123456789");
          Thread.sleep(100);
        } catch (IOException e) {
          closed = true;
        }
      }
      if (!closed) assertEquals("", readUntilClosed(socket));
      assertTrue(elapsedMillis(start) >= 900, "not before the body timeout");
    }
    assertTrue(metric("veil_http_connections_closed_total{reason=\"body_timeout\"}") >= 1);
  }

  @Test
  void aBodyArrivingFastEnoughIsServed() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(socket, "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n");
      for (int i = 0; i < 3; i++) { // 1000 B every 500 ms: 2000 B/s
        send(socket, "x".repeat(1000));
        Thread.sleep(500);
      }
      String answer = readResponse(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("x-length: 3000"), answer);
    }
  }

  @Test
  void refusesConnectionsBeyondTheClientLimitWithAJsonAnswer() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < PER_CLIENT; i++) {
        Socket socket = connect("127.0.0.3");
        held.add(socket);
        send(socket, "GET /api/hello/held HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 200"));
      }
      try (Socket refused = connect("127.0.0.3")) {
        send(refused, "GET /api/hello/more HTTP/1.1\r\nHost: x\r\n\r\n");
        String answer = readUntilClosed(refused);
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
        assertTrue(answer.toLowerCase(Locale.ROOT).contains("retry-after: 1"), answer);
        assertTrue(body(answer).getString("error").contains("maxConnectionsPerClient"), answer);
      }
      try (Socket other = connect("127.0.0.1")) {
        send(other, "GET /api/hello/other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(readUntilClosed(other).startsWith("HTTP/1.1 200"), "another address is served");
      }
    } finally {
      for (Socket s : held) s.close();
    }
    assertTrue(metric("veil_http_connections_refused_total{limit=\"client\"}") >= 1);
  }

  @Test
  void aTooLongRequestLineIs414WithAJsonBody() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(socket, "GET /api/hello/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.0 414") || answer.startsWith("HTTP/1.1 414"), answer);
      assertTrue(body(answer).getString("error").contains("request line"), answer);
    }
  }

  @Test
  void tooLargeHeadersAre431WithAJsonBody() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(
          socket,
          "GET /api/hello/big HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
      assertTrue(body(answer).getString("error").contains("headers"), answer);
    }
  }

  @Test
  void garbageIs400WithAJsonBody() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(socket, "GET /api/hello/x HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n");
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(body(answer).containsKey("error"), answer);
    }
  }

  @Test
  void aHugeDeclaredBodyIs400AndTheConnectionCloses() throws Exception {
    try (Socket socket = connect("127.0.0.1")) {
      send(
          socket,
          "POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n"
              + "z".repeat(1000));
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.toLowerCase(Locale.ROOT).contains("connection: close"), answer);
      assertTrue(body(answer).getString("error").contains("maxRequestBodyBytes"), answer);
    }
  }

  private static Socket connect(String fromAddress) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(fromAddress), 0));
    socket.connect(new InetSocketAddress("127.0.0.1", host.port()), 10_000);
    socket.setSoTimeout(30_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Everything the host sends until it closes the connection (a read timeout fails the test). */
  static String readUntilClosed(Socket socket) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) all.write(buffer, 0, n);
    } catch (java.net.SocketException reset) {
      // a reset after the answer also closes the connection
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** One response with a Content-Length body, leaving the connection open. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("closed in the headers: " + head);
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
        length = Integer.parseInt(line.substring(15).trim());
    }
    return headers + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  private static JsonObject body(String response) {
    return new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
  }

  private static long elapsedMillis(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static double metric(String series) throws Exception {
    for (String line : Http.get(host, "/metrics").body().split("\n")) {
      if (line.startsWith(series + " "))
        return Double.parseDouble(line.substring(series.length() + 1));
    }
    return 0;
  }
}
