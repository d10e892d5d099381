package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.veil.runtime.HostOptions;
import dev.veil.runtime.VeilHost;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob-triggered classifier in a real host on its default store (a local directory): an image
 * dropped into {@code images/} gets {@code <name>.top5.json} next to it, and that output is not
 * itself taken for an image.
 */
class ImageBlobTest {
  @TempDir Path data;

  @Test
  void droppedImageGetsTop5JsonNextToIt() throws Exception {
    Path images = Files.createDirectories(data.resolve("blobs").resolve("images"));
    byte[] jpeg = TestImages.encode(TestImages.gradient(400, 300), "jpeg");
    Files.write(images.resolve("scene.jpg"), jpeg);
    VeilHost host =
        VeilHost.start(
                new HostOptions()
                    .port(0)
                    .dataDirectory(data)
                    .functionClass(ImageFunctions.class)
                    .hostJson(
                        new JsonObject()
                            .put(
                                "extensions",
                                new JsonObject()
                                    .put(
                                        "blobs",
                                        new JsonObject()
                                            .put("maxPollingInterval", "00:00:00.200")))))
            .toCompletionStage()
            .toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
    Path top5 = images.resolve("scene.jpg.top5.json");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.exists(top5) && System.nanoTime() < deadline) Thread.sleep(100);
      JsonObject written = new JsonObject(Files.readString(top5));
      assertEquals("resnet50", written.getString("model"));
      assertEquals("scene.jpg", written.getString("image"));
      // The same answer the pipeline gives for these bytes.
      ImageModels reference =
          ImageModels.start(
              host.vertx(),
              new JsonObject()
                  .put(
                      "models",
                      new JsonObject()
                          .put(
                              ImageModels.RESNET50,
                              new JsonObject()
                                  .put(
                                      "path",
                                      dev.veil.fpga.SeededResNet50.files(System::getenv)
                                          .featurizer()
                                          .toString()))
                          .put(
                              ImageModels.RESNET50_HEAD,
                              new JsonObject()
                                  .put("class", "light")
                                  .put(
                                      "path",
                                      dev.veil.fpga.SeededResNet50.files(System::getenv)
                                          .classifier()
                                          .toString()))),
              ImageModels.RESNET50,
              new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      List<Prediction> expected = reference.classify(jpeg);
      reference.router().close();
      JsonArray got = written.getJsonArray("top5");
      for (int i = 0; i < 5; i++) {
        assertEquals(expected.get(i).classIndex(), got.getJsonObject(i).getInteger("class"));
        assertEquals(
            expected.get(i).confidence(), got.getJsonObject(i).getDouble("confidence"), 1e-5);
      }
    } finally {
      host.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    assertFalse(Files.exists(images.resolve("scene.jpg.top5.json.top5.json")));
  }
}
