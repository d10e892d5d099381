package dev.veil.runtime.spi;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** What the host offers every extension (triggers and bindings). */
public interface HostContext {

  Vertx vertx();

  /** App settings: local.settings.json {@code Values}, overridden by environment variables. */
  AppSettings settings();

  /** host.json. */
  HostConfig hostConfig();

  /** The registry behind {@code /metrics}; extensions add their own meters here. */
  MeterRegistry meterRegistry();

  /** A writable directory owned by this host for extension state (checkpoints, generated keys, ...). */
  Path dataDirectory();

  /** Cluster-wide expiring leases (always granted on a stand-alone host). */
  Leases leases();
}
