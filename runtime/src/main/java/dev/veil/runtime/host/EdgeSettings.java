package dev.veil.runtime.host;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.RetryPolicy;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * host.json {@code veil.http} limits on what a client may hold open: how long a connection may take
 * to send its request headers, wait idle between requests, and trickle a body, and how many
 * connections the host and any one client address may hold.
 *
 * @param headerTimeout a new connection's request headers must be complete within this
 * @param idleTimeout a kept-alive connection must complete its next request's headers within this
 * @param bodyTimeout grace before a request body must keep {@code minBodyBytesPerSecond}
 * @param minBodyBytesPerSecond the slowest average body rate accepted after the grace
 * @param maxConnections open connections for the whole host; beyond: refused
 * @param maxConnectionsPerClient open connections from one client address; beyond: refused; 0 for
 *     no limit
 */
public record EdgeSettings(
    Duration headerTimeout,
    Duration idleTimeout,
    Duration bodyTimeout,
    long minBodyBytesPerSecond,
    int maxConnections,
    int maxConnectionsPerClient) {

  /**
   * File descriptors held back for everything but client connections (jars, logs, models, outbound
   * sockets).
   */
  private static final long RESERVED_FILES = 1024;

  public static EdgeSettings from(HostConfig config) {
    JsonObject http = section(section(config.json(), "veil"), "http");
    try {
      EdgeSettings settings =
          new EdgeSettings(
              duration(http, "headerTimeout", "00:00:10"),
              duration(http, "idleTimeout", "00:00:30"),
              duration(http, "bodyTimeout", "00:00:10"),
              http.getLong("minBodyBytesPerSecond", 16L * 1024),
              http.getInteger("maxConnections", defaultMaxConnections(openFileLimit())),
              http.getInteger("maxConnectionsPerClient", 512));
      settings.validate();
      return settings;
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "host.json: a veil.http setting has the wrong type: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("host.json: veil.http: " + e.getMessage(), e);
    }
  }

  /** Three quarters of what the open-file limit leaves after a reserve, between 64 and 16,384. */
  static int defaultMaxConnections(long openFileLimit) {
    if (openFileLimit <= 0) return 4096;
    return (int) Math.max(64, Math.min(16_384, (openFileLimit - RESERVED_FILES) * 3 / 4));
  }

  /** The process's open-file limit, or -1 where the JVM cannot tell. */
  static long openFileLimit() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount()
        : -1;
  }

  private void validate() {
    positive("headerTimeout", headerTimeout);
    positive("idleTimeout", idleTimeout);
    positive("bodyTimeout", bodyTimeout);
    if (minBodyBytesPerSecond < 1)
      throw new IllegalArgumentException("minBodyBytesPerSecond must be positive");
    if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive");
    if (maxConnectionsPerClient < 0)
      throw new IllegalArgumentException("maxConnectionsPerClient must not be negative");
  }

  private static void positive(String name, Duration value) {
    if (value.isNegative() || value.isZero())
      throw new IllegalArgumentException(name + " must be positive");
  }

  private static Duration duration(JsonObject http, String name, String defaultValue) {
    try {
      return RetryPolicy.parseInterval(http.getString(name, defaultValue));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  private static JsonObject section(JsonObject parent, String name) {
    return parent.getValue(name) instanceof JsonObject o ? o : new JsonObject();
  }
}
