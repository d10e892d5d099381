package dev.veil.runtime.host;

import dev.veil.runtime.spi.AppSettings;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HostConfig;
import dev.veil.runtime.spi.Invoker;
import dev.veil.runtime.spi.Leases;
import dev.veil.runtime.spi.TriggerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.nio.file.Path;

/** The host's services as extensions see them. */
public record HostServices(
    Vertx vertx, AppSettings settings, HostConfig hostConfig, MeterRegistry meterRegistry, Path dataDirectory,
    Invoker invoker, Router router, AuthKeys keys, Leases leases) implements TriggerContext {}
