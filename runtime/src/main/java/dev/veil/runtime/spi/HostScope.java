package dev.veil.runtime.spi;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.function.Function;

/**
 * What one running host hands the function instances it creates: its Vert.x, its app settings, its
 * meter registry, its cluster broadcasts and node reports, and a place for the objects its
 * functions share (key cache, accelerator pool). A function class receives it through a public
 * constructor taking a {@code HostScope}; nothing here is process-wide, so two hosts in one JVM
 * keep separate settings, meters and caches.
 */
public interface HostScope {

  /** The host's Vert.x (clustered when the host is). */
  Vertx vertx();

  /**
   * App settings: local.settings.json {@code Values}, overridden by environment variables, as on
   * Azure.
   */
  AppSettings settings();

  /** The registry behind the host's {@code /metrics}. */
  MeterRegistry meterRegistry();

  /** Messages to every node of the app (only this host when it is not clustered). */
  ClusterBroadcasts broadcasts();

  /** Summaries shown in this node's entry of {@code /admin/cluster}. */
  NodeReports nodeReports();

  /**
   * This host's one object of {@code type}, made by {@code create} on first use and kept until the
   * host closes; an object that is {@link AutoCloseable} is closed then (on a worker thread, before
   * Vert.x closes). {@code create} may itself ask for other objects.
   */
  <T> T shared(Class<T> type, Function<HostScope, T> create);
}
