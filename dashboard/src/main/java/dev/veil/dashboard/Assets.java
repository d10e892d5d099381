package dev.veil.dashboard;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The page, its bundled script and styles (built by build.mjs into the jar), held in memory. */
record Assets(Buffer html, Buffer script, Buffer styles) {

  /** Reads them from the class path (blocking: call off the event loop). */
  static Assets load() {
    return new Assets(read("index.html"), read("app.js"), read("app.css"));
  }

  private static Buffer read(String name) {
    String path = "dev/veil/dashboard/ui/" + name;
    try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null)
        throw new IllegalStateException(
            path + " is missing from the class path: build the dashboard module (build.mjs)");
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
