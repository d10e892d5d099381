package dev.veil.runtime.spi;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.function.Supplier;

/** What the host offers every extension (triggers and bindings). */
public interface HostContext {

  Vertx vertx();

  /** App settings: local.settings.json {@code Values}, overridden by environment variables. */
  AppSettings settings();

  /** host.json. */
  HostConfig hostConfig();

  /** The registry behind {@code /metrics}; extensions add their own meters here. */
  MeterRegistry meterRegistry();

  /**
   * A writable directory owned by this host for extension state (checkpoints, generated keys, ...).
   */
  Path dataDirectory();

  /** Cluster-wide expiring leases (always granted on a stand-alone host). */
  Leases leases();

  /**
   * This host's one object of {@code type}, made on first use and kept until the host closes
   * (closed then when {@link AutoCloseable}): state that a trigger and a binding of the same host
   * share, e.g. an in-process queue.
   */
  <T> T shared(Class<T> type, Supplier<T> create);
}
