package dev.veil.functions.image;

import dev.veil.fpga.SeededResNet50;
import dev.veil.runtime.spi.HostScope;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The image pipelines of one host, each started on first use on the host's Vert.x (clustered when
 * the host is, so {@code WorkerMain} workers of its cluster can join the pool), metered in the
 * host's registry, listed in its {@code /admin/cluster} entry, and closed with the host.
 */
public final class ImagePipelines implements AutoCloseable {
  private final HostScope scope;
  private ImageModels resnet50;
  private ImageModels digits;
  private final Map<String, JsonObject> overrides = new HashMap<>();
  private final Map<String, JsonObject> started = new HashMap<>();

  private ImagePipelines(HostScope scope) {
    this.scope = scope;
  }

  /** The host's (made on first use). */
  public static ImagePipelines of(HostScope scope) {
    return scope.shared(ImagePipelines.class, ImagePipelines::new);
  }

  /** The ResNet-50 pipeline, started (and its model files generated) on first use. */
  public synchronized ImageModels resnet50() {
    if (resnet50 == null) {
      resnet50 =
          start(
              ImageModels.RESNET50,
              ImageModels.resnet50Defaults(SeededResNet50.files(this::setting)));
    }
    return resnet50;
  }

  /** The digits pipeline, started on first use. */
  public synchronized ImageModels digits() {
    if (digits == null) digits = start(ImageModels.DIGITS, ImageModels.digitsDefaults());
    return digits;
  }

  /**
   * Merges {@code section} over the family's pool configuration (after {@value
   * ImageModels#POOL_CONFIG}'s) for the next start of its pipeline; the model repository of the
   * inference protocol maps a model's config onto the pool this way.
   */
  public synchronized void configure(String family, JsonObject section) {
    overrides.put(family, section.copy());
  }

  /** The configuration the family's running pool was started with, or null when none runs. */
  public synchronized JsonObject configuration(String family) {
    JsonObject config = started.get(family);
    return config == null ? null : config.copy();
  }

  /**
   * Stops the family's pipeline and releases its pool's workers (blocking); the next use starts it
   * again. Requests in flight on it fail with the pool's 503.
   */
  public synchronized void release(String family) {
    ImageModels models = family.equals(ImageModels.RESNET50) ? resnet50 : digits;
    if (models == null) return;
    if (models == resnet50) resnet50 = null;
    else digits = null;
    started.remove(family);
    scope.nodeReports().unregister(reportName(family));
    models.close();
  }

  private ImageModels start(String family, JsonObject defaults) {
    JsonObject config = ImageModels.override(defaults, family, setting(ImageModels.POOL_CONFIG));
    if (overrides.containsKey(family)) config.mergeIn(overrides.get(family).copy(), true);
    started.put(family, config.copy());
    ImageModels models = ImageModels.start(scope.vertx(), config, family, scope.meterRegistry());
    // this node's entry in /admin/cluster lists the pool's workers, local and remote
    scope.nodeReports().register(reportName(family), models.router().pool()::report);
    return models;
  }

  private String setting(String name) {
    return scope.settings().get(name).orElse(null);
  }

  private static String reportName(String family) {
    return "acceleratorPool." + family;
  }

  @Override
  public synchronized void close() {
    for (ImageModels models : new ImageModels[] {resnet50, digits}) {
      if (models == null) continue;
      scope
          .nodeReports()
          .unregister(reportName(models == resnet50 ? ImageModels.RESNET50 : ImageModels.DIGITS));
      models.close();
    }
  }
}
