package dev.veil.webdemo;

import dev.veil.runtime.spi.HostExtension;
import dev.veil.runtime.spi.HostScope;
import dev.veil.runtime.spi.TriggerContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the in-browser encrypted demo under {@code /demo/}: a static page whose script makes the
 * keys, encrypts and decrypts in the browser and calls the bundled encrypted functions ({@code
 * encrypted-mnist}, {@code encrypted-breast-cancer} and their key uploads) with their own auth: the
 * visitor types a host key into the page. The page holds no key and grants nothing by itself.
 * Configured in host.json (on by default):
 *
 * <pre>
 * {"veil": {"webDemo": {"enabled": true}}}
 * </pre>
 */
public final class WebDemoExtension implements HostExtension {
  private static final Logger LOG = LoggerFactory.getLogger(WebDemoExtension.class);

  @Override
  public Future<Void> start(TriggerContext host, HostScope scope, boolean servesTls) {
    Object veil = host.hostConfig().json().getValue("veil");
    Object section = veil instanceof JsonObject v ? v.getValue("webDemo") : null;
    if (section != null && !(section instanceof JsonObject)) {
      return Future.failedFuture(
          new IllegalArgumentException("host.json: 'veil.webDemo' must be an object"));
    }
    Object enabled = section == null ? null : ((JsonObject) section).getValue("enabled");
    if (enabled != null && !(enabled instanceof Boolean)) {
      return Future.failedFuture(
          new IllegalArgumentException("host.json: 'veil.webDemo.enabled' must be true or false"));
    }
    if (Boolean.FALSE.equals(enabled)) return Future.succeededFuture();
    // the page's client calls /api/<function> (clients/js), the functions' default route prefix
    if (!host.hostConfig().routePrefix().equals("api")) {
      LOG.warn(
          "the web demo is not served: it calls the functions under /api, and this host's"
              + " extensions.http.routePrefix is '{}'",
          host.hostConfig().routePrefix());
      return Future.succeededFuture();
    }
    // the files are read from the class path once, off the event loop
    return host.vertx()
        .executeBlocking(DemoFiles::load, false)
        .map(
            files -> {
              files.mount(host.router());
              LOG.info("Encrypted demo page at /demo/ (veil.webDemo.enabled: false turns it off)");
              return null;
            });
  }
}
