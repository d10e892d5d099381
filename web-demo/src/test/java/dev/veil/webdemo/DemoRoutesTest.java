package dev.veil.webdemo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's files over HTTP on a real host: headers, redirect, errors, and the off switch. */
class DemoRoutesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private VeilHost start(String hostJson) throws Exception {
    Files.writeString(dir.resolve("host.json"), hostJson);
    return VeilHost.start(
            new HostOptions().port(0).configDirectory(dir).dataDirectory(dir.resolve("data")))
        .toCompletionStage()
        .toCompletableFuture()
        .get(1, TimeUnit.MINUTES);
  }

  private static HttpResponse<byte[]> send(VeilHost host, String method, String path, String etag)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (etag != null) request.header("if-none-match", etag);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void servesThePageWithItsPolicyAndNothingElse() throws Exception {
    VeilHost host = start("{\"version\": \"2.0\"}");
    try {
      HttpResponse<byte[]> redirect = send(host, "GET", "/demo", null);
      assertEquals(301, redirect.statusCode());
      assertEquals("/demo/", redirect.headers().firstValue("location").orElseThrow());

      HttpResponse<byte[]> page = send(host, "GET", "/demo/", null);
      assertEquals(200, page.statusCode());
      assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").get());
      String csp = page.headers().firstValue("content-security-policy").orElseThrow();
      assertEquals(DemoFiles.CONTENT_SECURITY_POLICY, csp);
      assertEquals("nosniff", page.headers().firstValue("x-content-type-options").get());
      String html = new String(page.body(), StandardCharsets.UTF_8);
      assertTrue(html.contains("<script type=\"module\" src=\"demo.js\"></script>"), html);
      assertTrue(!html.contains("<script>") && !html.contains("style="), "nothing inline");

      HttpResponse<byte[]> wasm = send(host, "GET", "/demo/seal.wasm", null);
      assertEquals("application/wasm", wasm.headers().firstValue("content-type").get());
      assertEquals(0x00, wasm.body()[0]); // "\0asm"
      assertEquals('a', wasm.body()[1]);
      String etag = wasm.headers().firstValue("etag").orElseThrow();
      assertEquals(304, send(host, "GET", "/demo/seal.wasm", etag).statusCode());
      // what came from the server or the visitor goes into the page as text: no HTML parsing sinks
      for (String file : new String[] {"demo.js", "seal-worker.js"}) {
        String script =
            new String(send(host, "GET", "/demo/" + file, null).body(), StandardCharsets.UTF_8);
        for (String sink :
            new String[] {
              "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("
            }) {
          assertTrue(!script.contains(sink), file + " uses " + sink);
        }
      }
      HttpResponse<byte[]> head = send(host, "HEAD", "/demo/demo.js", null);
      assertEquals(200, head.statusCode());
      assertTrue(Long.parseLong(head.headers().firstValue("content-length").get()) > 10_000);

      HttpResponse<byte[]> missing = send(host, "GET", "/demo/../keys.json", null);
      assertTrue(missing.statusCode() == 404 || missing.statusCode() == 400, "" + missing);
      assertEquals(404, send(host, "GET", "/demo/build.mjs", null).statusCode());
      assertEquals(405, send(host, "POST", "/demo/index.html", null).statusCode());
    } finally {
      host.close();
    }
  }

  @Test
  void offWhenTheSettingSaysSo() throws Exception {
    VeilHost host = start("{\"version\": \"2.0\", \"veil\": {\"webDemo\": {\"enabled\": false}}}");
    try {
      assertEquals(404, send(host, "GET", "/demo/", null).statusCode());
    } finally {
      host.close();
    }
  }

  @Test
  void aWrongSettingStopsTheStartNamingIt() {
    Exception e =
        assertThrows(
            Exception.class, () -> start("{\"version\": \"2.0\", \"veil\": {\"webDemo\": 1}}"));
    assertTrue(String.valueOf(e.getMessage()).contains("veil.webDemo"), e.toString());
  }
}
