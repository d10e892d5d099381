package dev.veil.functions.image;

import dev.veil.fpga.SeededResNet50;
import dev.veil.runtime.spi.HostScope;
import io.vertx.core.json.JsonObject;

/**
 * The image pipelines of one host, each started on first use on the host's Vert.x (clustered when
 * the host is, so {@code WorkerMain} workers of its cluster can join the pool), metered in the
 * host's registry, listed in its {@code /admin/cluster} entry, and closed with the host.
 */
public final class ImagePipelines implements AutoCloseable {
  private final HostScope scope;
  private ImageModels resnet50;
  private ImageModels digits;

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

  private ImageModels start(String family, JsonObject defaults) {
    JsonObject config = ImageModels.override(defaults, family, setting(ImageModels.POOL_CONFIG));
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
