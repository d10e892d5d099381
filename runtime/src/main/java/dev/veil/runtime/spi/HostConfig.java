package dev.veil.runtime.spi;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * host.json. Azure keys: {@code extensions.http.routePrefix} (default {@code api}), {@code
 * functionTimeout} ({@code hh:mm:ss}, {@code -1} for none). Veil's own keys live under {@code
 * veil}: {@code workerPoolSize}, {@code maxQueuedInvocations}, {@code http.maxRequestBodyBytes},
 * {@code shutdownTimeout}, {@code nativeTransport}.
 */
public final class HostConfig {
  private final JsonObject json;

  public HostConfig(JsonObject json) {
    this.json = json.copy();
    validate();
  }

  /** The whole document, for extension-specific sections (e.g. {@code extensions.kafka}). */
  public JsonObject json() {
    return json.copy();
  }

  /** {@code extensions.<name>} or an empty object. */
  public JsonObject extension(String name) {
    return section(section(json, "extensions"), name);
  }

  /** The HTTP route prefix without slashes; may be empty. */
  public String routePrefix() {
    String prefix = extension("http").getString("routePrefix", "api");
    return prefix.replaceAll("^/+|/+$", "");
  }

  /** The longest a single attempt may run; empty when unlimited. */
  public Optional<Duration> functionTimeout() {
    String value = json.getString("functionTimeout");
    if (value == null || value.equals("-1")) return Optional.empty();
    return Optional.of(RetryPolicy.parseInterval(value));
  }

  /** Threads that run user code. */
  public int workerPoolSize() {
    return veil()
        .getInteger("workerPoolSize", Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Invocations that may wait for a worker thread; beyond that the host answers "over capacity"
   * (HTTP 429).
   */
  public int maxQueuedInvocations() {
    return veil().getInteger("maxQueuedInvocations", 256);
  }

  /** The largest HTTP request body accepted (HTTP 400 beyond). */
  public long maxRequestBodyBytes() {
    return section(veil(), "http").getLong("maxRequestBodyBytes", 16L * 1024 * 1024);
  }

  /** How long a graceful shutdown waits for in-flight invocations. */
  public Duration shutdownTimeout() {
    return RetryPolicy.parseInterval(veil().getString("shutdownTimeout", "00:00:30"));
  }

  /**
   * Whether Vert.x should use the operating system's own socket transport (epoll on Linux) rather
   * than Java NIO: fewer system calls per request and cheaper wake-ups of the event loops by worker
   * threads. Where no native transport is available Vert.x uses NIO anyway.
   */
  public boolean nativeTransport() {
    return veil().getBoolean("nativeTransport", true);
  }

  private JsonObject veil() {
    return section(json, "veil");
  }

  private static JsonObject section(JsonObject parent, String name) {
    Object value = parent.getValue(name);
    if (value == null) return new JsonObject();
    if (value instanceof JsonObject o) return o;
    throw new IllegalArgumentException("host.json: '" + name + "' must be an object");
  }

  private void validate() {
    try {
      routePrefix();
      functionTimeout();
      shutdownTimeout();
      if (workerPoolSize() < 1)
        throw new IllegalArgumentException("veil.workerPoolSize must be at least 1");
      if (maxQueuedInvocations() < 0)
        throw new IllegalArgumentException("veil.maxQueuedInvocations must not be negative");
      if (maxRequestBodyBytes() < 1)
        throw new IllegalArgumentException("veil.http.maxRequestBodyBytes must be positive");
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(
          "host.json: a setting has the wrong type: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("host.json: " + e.getMessage(), e);
    }
  }
}
