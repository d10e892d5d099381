package dev.veil.inference;

import dev.veil.functions.breastcancer.BreastCancerFunction;
import dev.veil.functions.image.ImageFunctions;
import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * A real Veil host with the protocol extension (found on the class path, as in veil.jar) and the
 * image and breast-cancer functions.
 */
final class ProtocolHost {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  private ProtocolHost() {}

  static VeilHost start(Path data, JsonObject hostJson) throws Exception {
    return start(data, hostJson, java.util.Map.of());
  }

  /**
   * @param settings app settings of the host (as local.settings.json Values would give them)
   */
  static VeilHost start(Path data, JsonObject hostJson, java.util.Map<String, String> settings)
      throws Exception {
    HostOptions options =
        new HostOptions()
            .port(0)
            .functionClass(ImageFunctions.class)
            .functionClass(BreastCancerFunction.class)
            .dataDirectory(data)
            .hostJson(hostJson);
    settings.forEach(options::setting);
    return VeilHost.start(options)
        .toCompletionStage()
        .toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
  }

  static JsonObject protocolConfig(JsonObject inferenceProtocol) {
    return new JsonObject()
        .put("veil", new JsonObject().put("inferenceProtocol", inferenceProtocol));
  }

  static void stop(VeilHost host) throws Exception {
    if (host != null)
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static HttpResponse<byte[]> get(String base, String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (key != null) b.header("x-functions-key", key);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<byte[]> post(
      String base, String path, String key, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) b.header("x-functions-key", key);
    if (headers.length > 0) b.headers(headers);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A handwritten-looking "7", white on black, {@code side} pixels square, as PNG. */
  static byte[] sevenPng(int side) throws IOException {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.BLACK);
    g.fillRect(0, 0, side, side);
    g.setColor(Color.WHITE);
    g.setStroke(new BasicStroke(side / 9f));
    g.drawLine(side / 4, side / 4, side * 3 / 4, side / 4);
    g.drawLine(side * 3 / 4, side / 4, side * 2 / 5, side * 4 / 5);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
