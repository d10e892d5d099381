package dev.veil.webdemo;

import dev.veil.runtime.spi.HttpErrors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo page's files (built by web-demo/build.mjs into the jar), held in memory and served with
 * a Content-Security-Policy that allows this origin's scripts, styles and requests and WebAssembly
 * compilation, nothing inline and nothing from elsewhere.
 */
final class DemoFiles {
  static final String BASE = "/demo/";
  static final String RESOURCES = "dev/veil/webdemo/static/";

  /**
   * 'wasm-unsafe-eval' lets the page compile node-seal's WebAssembly; it does not allow eval of
   * JavaScript.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final Map<String, String> TYPES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "demo.js", "text/javascript; charset=utf-8",
          "seal-worker.js", "text/javascript; charset=utf-8",
          "demo.css", "text/css; charset=utf-8",
          "seal.wasm", "application/wasm",
          "LICENSES.txt", "text/plain; charset=utf-8",
          "digit-2.png", "image/png",
          "digit-5.png", "image/png",
          "digit-7.png", "image/png");

  private record File(String type, Buffer body, String etag) {}

  private final Map<String, File> files;

  private DemoFiles(Map<String, File> files) {
    this.files = files;
  }

  /** Reads every file from the class path; blocks. */
  static DemoFiles load() {
    Map<String, File> files = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : TYPES.entrySet()) {
      byte[] bytes = read(RESOURCES + e.getKey());
      files.put(e.getKey(), new File(e.getValue(), Buffer.buffer(bytes), etag(bytes)));
    }
    return new DemoFiles(files);
  }

  void mount(Router router) {
    router.route(BASE + "*").handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    String path = ctx.request().path();
    if (!path.startsWith(BASE)) { // "/demo": the page's relative links need the slash
      response.setStatusCode(301).putHeader(HttpHeaders.LOCATION, BASE).end();
      return;
    }
    String name = path.substring(BASE.length());
    File file = files.get(name.isEmpty() ? "index.html" : name);
    if (file == null) {
      HttpErrors.send(ctx, 404, "no such file in the demo: " + name, null);
      return;
    }
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.ALLOW, "GET, HEAD");
      HttpErrors.send(ctx, 405, "the demo's files are read with GET", null);
      return;
    }
    response
        .putHeader("content-security-policy", CONTENT_SECURITY_POLICY)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cross-origin-opener-policy", "same-origin")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader(HttpHeaders.ETAG, file.etag());
    if (file.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      response.setStatusCode(304).end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, file.type());
    if (method == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(file.body().length())).end();
    } else {
      response.end(file.body());
    }
  }

  private static byte[] read(String resource) {
    try (InputStream in = DemoFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "the web demo's "
                + resource
                + " is missing from the class path: build the web-demo module (it runs npm ci and"
                + " web-demo/build.mjs with Node)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
