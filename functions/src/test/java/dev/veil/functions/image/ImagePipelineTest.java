package dev.veil.functions.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.veil.fpga.SeededResNet50;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ResNet-50 pipeline through the pool against direct ONNX Runtime sessions on the same tensor.
 */
class ImagePipelineTest {
  @Test
  void uniformImageNormalisesToImageNetStatistics() {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(300, 260, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 260; y++) for (int x = 0; x < 300; x++) img.setRGB(x, y, 0x804020);
    float[] t = ImageTensors.resnet(ImageDecoder.decode(TestImages.encode(img, "png"), 1_000_000));
    assertEquals(3 * 224 * 224, t.length);
    int plane = 224 * 224;
    assertEquals((0x80 / 255f - 0.485f) / 0.229f, t[0], 1e-6);
    assertEquals((0x40 / 255f - 0.456f) / 0.224f, t[plane + 1234], 1e-6);
    assertEquals((0x20 / 255f - 0.406f) / 0.225f, t[3 * plane - 1], 1e-6);
  }

  @Test
  void centreCropKeepsTheMiddleOfTheLongerSide() {
    // 512x256 scales to 512x256 (shorter side already 256): the crop starts at x = 144, y = 16.
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(512, 256, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 256; y++)
      for (int x = 0; x < 512; x++) img.setRGB(x, y, (x & 0xff) << 16 | (y & 0xff));
    float[] t = ImageTensors.resnet(ImageDecoder.decode(TestImages.encode(img, "png"), 1_000_000));
    assertEquals((144 / 255f - 0.485f) / 0.229f, t[0], 1e-6);
    assertEquals((16 / 255f - 0.406f) / 0.225f, t[2 * 224 * 224], 1e-6);
  }

  @Test
  void pipelineTop5EqualsDirectOnnxRuntime() throws Exception {
    Vertx vertx = Vertx.vertx();
    JsonObject config =
        new JsonObject()
            .put(
                "models",
                new JsonObject()
                    .put(
                        ImageModels.RESNET50,
                        new JsonObject()
                            .put("class", "heavy-image")
                            .put("accelerator", "cpu")
                            .put(
                                "path",
                                SeededResNet50.files(System::getenv).featurizer().toString())
                            .put("maxBatchSize", 4)
                            .put("maxQueueDelayMs", 1))
                    .put(
                        ImageModels.RESNET50_HEAD,
                        new JsonObject()
                            .put("class", "light")
                            .put(
                                "path",
                                SeededResNet50.files(System::getenv).classifier().toString())))
            .put(
                "workers",
                new JsonArray().add(new JsonObject().put("device", "cpu").put("threads", 2)));
    ImageModels models =
        ImageModels.start(vertx, config, ImageModels.RESNET50, new SimpleMeterRegistry());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession featurizer =
            env.createSession(SeededResNet50.files(System::getenv).featurizer().toString());
        OrtSession head =
            env.createSession(SeededResNet50.files(System::getenv).classifier().toString())) {
      assertTrue(models.router().isHeavy(ImageModels.RESNET50));
      assertTrue(!models.router().isHeavy(ImageModels.RESNET50_HEAD));
      for (int[] size : new int[][] {{320, 240}, {200, 400}}) {
        byte[] jpeg = TestImages.encode(TestImages.gradient(size[0], size[1]), "jpeg");
        List<Prediction> viaPool = models.classify(jpeg);

        float[] tensor =
            ImageTensors.resnet(ImageDecoder.decode(jpeg, ImageDecoder.DEFAULT_MAX_PIXELS));
        float[] features = run(env, featurizer, tensor, new long[] {1, 3, 224, 224});
        assertEquals(2048, features.length);
        float[] logits = run(env, head, features, new long[] {1, 2048});
        List<Prediction> direct = Prediction.topK(logits, TestImagesLabels.IMAGENET, 5);

        assertEquals(5, viaPool.size());
        assertArrayEquals(
            direct.stream().mapToInt(Prediction::classIndex).toArray(),
            viaPool.stream().mapToInt(Prediction::classIndex).toArray());
        for (int i = 0; i < 5; i++) {
          assertEquals(direct.get(i).label(), viaPool.get(i).label());
          assertEquals(direct.get(i).confidence(), viaPool.get(i).confidence(), 1e-5);
        }
      }
    } finally {
      models.router().close().toCompletionStage().toCompletableFuture().get();
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static float[] run(OrtEnvironment env, OrtSession session, float[] data, long[] shape)
      throws Exception {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
        OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), t))) {
      FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] a = new float[out.remaining()];
      out.get(a);
      return a;
    }
  }
}
