package dev.veil.inference;

import static dev.veil.inference.ProtocolHost.get;
import static dev.veil.inference.ProtocolHost.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.functions.image.ImageDecoder;
import dev.veil.functions.image.ImageTensors;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.runtime.VeilHost;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API of the protocol on a real host, called with plain HTTP (java.net.http). */
class RestProtocolTest {
  static final String HEADER = "Inference-Header-Content-Length";
  @TempDir static Path data;
  static VeilHost host;
  static String base;
  static String key;

  @BeforeAll
  static void start() throws Exception {
    host =
        ProtocolHost.start(
            data,
            ProtocolHost.protocolConfig(new JsonObject().put("maxRequestBytes", 4 * 1024 * 1024)));
    base = "http://127.0.0.1:" + host.port();
    key = host.keys().hostKey();
  }

  @AfterAll
  static void stop() throws Exception {
    ProtocolHost.stop(host);
  }

  @Test
  void serverMetadataAndHealth() throws Exception {
    JsonObject server = json(get(base, "/v2", null), 200);
    assertEquals("veil", server.getString("name"));
    assertTrue(server.getJsonArray("extensions").contains("binary_tensor_data"));
    assertEquals(true, json(get(base, "/v2/health/live", null), 200).getBoolean("live"));
    assertEquals(true, json(get(base, "/v2/health/ready", null), 200).getBoolean("ready"));
  }

  @Test
  void everyModelHasMetadata() throws Exception {
    JsonObject digits = json(get(base, "/v2/models/digits", key), 200);
    assertEquals(new JsonArray().add("1"), digits.getJsonArray("versions"));
    assertEquals(
        new JsonObject("{\"name\":\"image\",\"datatype\":\"FP32\",\"shape\":[-1,1,28,28]}"),
        digits.getJsonArray("inputs").getJsonObject(0));
    assertEquals(
        new JsonObject("{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[-1,10]}"),
        digits.getJsonArray("outputs").getJsonObject(0));
    assertEquals(digits, json(get(base, "/v2/models/digits/versions/1", key), 200));
    JsonObject resnet = json(get(base, "/v2/models/resnet50", key), 200);
    assertEquals(
        new JsonArray("[-1,3,224,224]"),
        resnet.getJsonArray("inputs").getJsonObject(0).getJsonArray("shape"));
    JsonObject cancer = json(get(base, "/v2/models/breast-cancer", key), 200);
    assertEquals(
        new JsonArray("[-1,30]"),
        cancer.getJsonArray("inputs").getJsonObject(0).getJsonArray("shape"));
    assertEquals("FP64", cancer.getJsonArray("inputs").getJsonObject(0).getString("datatype"));
    assertEquals(
        List.of("probabilities", "label"),
        cancer.getJsonArray("outputs").stream()
            .map(o -> ((JsonObject) o).getString("name"))
            .toList());
    JsonObject mnist = json(get(base, "/v2/models/mnist-linear", key), 200);
    assertEquals(
        new JsonArray("[-1,784]"),
        mnist.getJsonArray("inputs").getJsonObject(0).getJsonArray("shape"));
    for (String model : List.of("digits", "resnet50", "breast-cancer", "mnist-linear")) {
      assertEquals(
          true, json(get(base, "/v2/models/" + model + "/ready", key), 200).getBoolean("ready"));
      assertEquals(
          true,
          json(get(base, "/v2/models/" + model + "/versions/1/ready", key), 200)
              .getBoolean("ready"));
    }
    assertError(get(base, "/v2/models/nope", key), 404, "unknown model 'nope'");
    assertError(get(base, "/v2/models/digits/versions/2", key), 404, "no version '2'");
    assertError(get(base, "/v2/models/digits/versions/2/ready", key), 404, "no version '2'");
    assertError(get(base, "/v2/nothing-here", key), 404, "nothing is served at /v2/nothing-here");
    JsonArray index =
        new JsonArray(
            new String(
                post(base, "/v2/repository/index", key, new byte[0]).body(),
                StandardCharsets.UTF_8));
    List<String> names = index.stream().map(e -> ((JsonObject) e).getString("name")).toList();
    assertTrue(
        names.containsAll(
            List.of(
                "digits",
                "resnet50",
                "breast-cancer",
                "mnist-linear",
                "encrypted-mnist",
                "encrypted-breast-cancer")),
        names::toString);
    assertEquals(
        new JsonObject().put("name", "digits").put("version", "1").put("state", "READY"),
        index.getJsonObject(names.indexOf("digits")));
    assertEquals(
        401,
        post(base, "/v2/repository/index", host.keys().functionKey("classify-digit"), new byte[0])
            .statusCode(),
        "host keys only");
  }

  /**
   * The specification's example requests, sent as written, to "mymodel" (a test model of the same
   * signature).
   */
  @Test
  void specificationExamples() throws Exception {
    String example =
        """
        {"id": "42",
         "inputs": [{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [1, 2, 3, 4]},
                    {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}],
         "outputs": [{"name": "output0"}]}""";
    JsonObject answer = json(post(base, "/v2/models/mymodel/infer", key, utf8(example)), 200);
    assertEquals("42", answer.getString("id"));
    assertEquals("mymodel", answer.getString("model_name"));
    assertEquals(
        new JsonObject(
            "{\"name\":\"output0\",\"datatype\":\"FP32\",\"shape\":[2,2],\"data\":[1.5,2.5,3.5,4.5]}"),
        answer.getJsonArray("outputs").getJsonObject(0));
    assertEquals(1, answer.getJsonArray("outputs").size(), "only the output asked for");

    // the same with nested data, every output, on the version's path
    String nested =
        """
        {"inputs": [{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "data": [[1, 2], [3, 4294967295]]},
                    {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}]}""";
    JsonObject all =
        json(post(base, "/v2/models/mymodel/versions/1/infer", key, utf8(nested)), 200);
    assertEquals(
        new JsonArray("[1.5,2.5,3.5,4.2949673E9]"),
        all.getJsonArray("outputs").getJsonObject(0).getJsonArray("data"));
    assertEquals(
        new JsonArray("[false,true,false]"),
        all.getJsonArray("outputs").getJsonObject(1).getJsonArray("data"));

    // the binary tensor data extension's example: input0 as 16 binary bytes, output0 asked for as
    // binary
    JsonObject header =
        new JsonObject(
            """
        {"model_name": "mymodel",
         "inputs": [{"name": "input0", "shape": [2, 2], "datatype": "UINT32", "parameters": {"binary_data_size": 16}},
                    {"name": "input1", "shape": [3], "datatype": "BOOL", "data": [true, false, true]}],
         "outputs": [{"name": "output0", "parameters": {"binary_data": true}}, {"name": "output1"}]}""");
    byte[] input0 =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(1)
            .putInt(2)
            .putInt(3)
            .putInt(4)
            .array();
    Binary reply = binary(postBinary("/v2/models/mymodel/infer", header, input0));
    JsonObject out0 = reply.header.getJsonArray("outputs").getJsonObject(0);
    assertEquals(16, out0.getJsonObject("parameters").getInteger("binary_data_size"));
    assertTrue(!out0.containsKey("data"));
    assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f, 4.5f}, floats(reply.data, 0, 4));
    assertEquals(
        new JsonArray("[false,true,false]"),
        reply.header.getJsonArray("outputs").getJsonObject(1).getJsonArray("data"));

    // binary_data_output asks for every output in binary
    JsonObject allBinary =
        new JsonObject(nested).put("parameters", new JsonObject().put("binary_data_output", true));
    Binary both =
        binary(
            post(
                base,
                "/v2/models/mymodel/infer",
                key,
                utf8(allBinary.encode()),
                HEADER,
                String.valueOf(utf8(allBinary.encode()).length)));
    assertEquals(16 + 3, both.data.length);
    assertArrayEquals(new byte[] {0, 1, 0}, Arrays.copyOfRange(both.data, 16, 19));
  }

  /**
   * Every datatype through JSON, and through the binary extension, echoed by the "all-types" test
   * model.
   */
  @Test
  void everyDatatypeInJsonAndBinary() throws Exception {
    JsonArray inputs = new JsonArray();
    JsonArray binaryInputs = new JsonArray();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    for (Datatype type : Datatype.values()) {
      JsonArray values = new JsonArray(TensorCodecTest.EXTREMES.get(type));
      values.remove(2); // the model takes two of each
      inputs.add(
          new JsonObject()
              .put("name", "in_" + type)
              .put("datatype", type.name())
              .put("shape", new JsonArray().add(2))
              .put("data", values));
      byte[] bytes = JsonTensors.decode("x", type, new long[] {2}, values, "x").raw();
      raw.write(bytes);
      binaryInputs.add(
          new JsonObject()
              .put("name", "in_" + type)
              .put("datatype", type.name())
              .put("shape", new JsonArray().add(2))
              .put("parameters", new JsonObject().put("binary_data_size", bytes.length)));
    }
    JsonObject answer =
        json(
            post(
                base,
                "/v2/models/all-types/infer",
                key,
                utf8(new JsonObject().put("inputs", inputs).encode())),
            200);
    JsonArray outputs = answer.getJsonArray("outputs");
    for (int i = 0; i < Datatype.values().length; i++) {
      Datatype type = Datatype.values()[i];
      JsonObject out = outputs.getJsonObject(i);
      assertEquals("out_" + type, out.getString("name"));
      assertEquals(type.name(), out.getString("datatype"));
      TensorCodecTest.assertSameElements(
          inputs.getJsonObject(i).getJsonArray("data"), out.getJsonArray("data"), type);
    }
    JsonObject header =
        new JsonObject()
            .put("inputs", binaryInputs)
            .put("parameters", new JsonObject().put("binary_data_output", true));
    Binary reply = binary(postBinary("/v2/models/all-types/infer", header, raw.toByteArray()));
    assertArrayEquals(raw.toByteArray(), reply.data, "binary in, binary out: the same bytes");
  }

  @Test
  void badTensorsAreRefusedWithTheReason() throws Exception {
    String image = "/v2/models/digits/infer";
    assertError(
        infer(image, tensor("image", "FP64", "[1,1,28,28]", zeros(784))),
        400,
        "has datatype FP32; the request gives FP64");
    assertError(
        infer(image, tensor("image", "FP32", "[1,28,28]", zeros(784))),
        400,
        "has shape [-1, 1, 28, 28]");
    assertError(
        infer(image, tensor("image", "FP32", "[1,1,28,28]", zeros(783))),
        400,
        "(784 elements) but its data holds 783");
    assertError(
        infer(image, tensor("image", "FP32", "[65,1,28,28]", zeros(65 * 784))),
        400,
        "the model takes 1 to 64");
    assertError(
        infer(image, tensor("image", "FP8", "[1,1,28,28]", zeros(784))), 400, "does not define");
    assertError(
        infer(image, tensor("picture", "FP32", "[1,1,28,28]", zeros(784))),
        400,
        "input 'image' of model 'digits' is missing");
    assertError(
        infer(image, tensor("image", "FP32", "[1,1,-28,28]", zeros(784))),
        400,
        "not a non-negative integer");
    assertError(
        infer("/v2/models/nope/infer", tensor("image", "FP32", "[1]", zeros(1))),
        404,
        "unknown model 'nope'");
    assertError(
        infer(
            "/v2/models/digits/versions/7/infer",
            tensor("image", "FP32", "[1,1,28,28]", zeros(784))),
        404,
        "no version '7'");
    assertError(post(base, image, key, utf8("{\"inputs\": [")), 400, "not a JSON object");
    assertError(post(base, image, key, new byte[0]), 400, "no body");
    JsonObject wrongOutput =
        tensor("image", "FP32", "[1,1,28,28]", zeros(784))
            .put("outputs", new JsonArray().add(new JsonObject().put("name", "probs")));
    assertError(infer(image, wrongOutput), 400, "has no output 'probs'");
    assertError(
        infer("/v2/models/all-types/infer", tensor("in_UINT8", "UINT8", "[2]", "[1, 256]")),
        400,
        "outside the range of UINT8");

    // binary extension: shape x datatype != byte size, malformed headers, unclaimed bytes
    JsonObject binaryImage =
        new JsonObject()
            .put(
                "inputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "image")
                            .put("datatype", "FP32")
                            .put("shape", new JsonArray("[1,1,28,28]"))
                            .put("parameters", new JsonObject().put("binary_data_size", 100))));
    assertError(
        postBinary(image, binaryImage, new byte[100]),
        400,
        "(784 elements of 4 bytes = 3136 bytes) but carries 100 bytes");
    assertError(
        postBinary(image, binaryImage, new byte[50]), 400, "only 50 bytes of binary data are left");
    binaryImage
        .getJsonArray("inputs")
        .getJsonObject(0)
        .getJsonObject("parameters")
        .put("binary_data_size", 3136);
    assertError(
        postBinary(image, binaryImage, new byte[3140]),
        400,
        "4 bytes of binary data after the JSON header belong to no input");
    byte[] body = utf8(binaryImage.encode());
    assertError(post(base, image, key, body, HEADER, "abc"), 400, HEADER + " is 'abc'");
    assertError(
        post(base, image, key, body, HEADER, String.valueOf(body.length + 1)),
        400,
        "it must be the length of the JSON header");
    assertError(
        post(base, image, key, body, HEADER, String.valueOf(body.length - 5)),
        400,
        "not a JSON object (in its first");
    assertError(
        post(base, image, key, body), 400, "has binary_data_size but the request has no " + HEADER);

    // the body is bounded before it is decoded
    byte[] huge = new byte[5 * 1024 * 1024];
    assertError(post(base, image, key, huge), 400, "larger than 4194304 bytes");
    // a form-encoded content type (curl's default) changes nothing: the body is the protocol's JSON
    assertEquals(
        200,
        post(
                base,
                "/v2/models/mnist-linear/infer",
                key,
                utf8(tensor("pixels", "FP64", "[1,784]", zeros(784)).encode()),
                "content-type",
                "application/x-www-form-urlencoded")
            .statusCode());
  }

  @Test
  void keysAreThoseOfTheModelsFunctions() throws Exception {
    byte[] body = utf8(tensor("features", "FP64", "[1,30]", zeros(30)).encode());
    assertEquals(401, post(base, "/v2/models/breast-cancer/infer", null, body).statusCode());
    assertEquals(
        401,
        post(
                base,
                "/v2/models/breast-cancer/infer",
                host.keys().functionKey("classify-digit"),
                body)
            .statusCode());
    assertEquals(
        200,
        post(base, "/v2/models/breast-cancer/infer", host.keys().functionKey("breast-cancer"), body)
            .statusCode());
    assertEquals(401, get(base, "/v2/models/breast-cancer", "wrong").statusCode());
    assertEquals(200, get(base, "/v2/health/ready", null).statusCode(), "health is open to probes");
  }

  @Test
  void tabularModelsAnswerAsTheirFunctions() throws Exception {
    BreastCancerModel cancer = BreastCancerModel.bundled();
    double[] mean = cancer.scalerMean();
    double[] high = new double[30];
    for (int i = 0; i < 30; i++) high[i] = mean[i] + 2 * cancer.scalerStd()[i];
    JsonArray rows = new JsonArray().add(array(mean)).add(array(high));
    JsonObject answer =
        json(
            infer(
                "/v2/models/breast-cancer/infer",
                tensor("features", "FP64", "[2,30]", rows.encode())),
            200);
    BreastCancerModel.Prediction expected = cancer.predict(new double[][] {mean, high});
    JsonObject probabilities = answer.getJsonArray("outputs").getJsonObject(0);
    assertEquals(new JsonArray("[2,2]"), probabilities.getJsonArray("shape"));
    for (int r = 0; r < 2; r++) {
      for (int k = 0; k < 2; k++)
        assertEquals(
            expected.probabilities()[r][k],
            probabilities.getJsonArray("data").getDouble(r * 2 + k));
      assertEquals(
          expected.labels()[r],
          answer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getLong(r));
    }
    assertError(
        infer(
            "/v2/models/breast-cancer/infer",
            tensor("features", "FP64", "[1,30]", zeros(30).replaceFirst("0", "1e400"))),
        400,
        "");

    MnistLinearModel mnist = MnistLinearModel.bundled();
    double[] pixels = new double[784];
    for (int i = 0; i < 784; i++) pixels[i] = (i * 37 % 101) / 100.0;
    JsonObject scores =
        json(
            infer(
                "/v2/models/mnist-linear/infer",
                tensor("pixels", "FP64", "[1,784]", array(pixels).encode())),
            200);
    JsonArray got = scores.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    double[] want = mnist.scores(pixels);
    for (int k = 0; k < 10; k++) assertEquals(want[k], got.getDouble(k));
    assertEquals(
        MnistLinearModel.argmax(want),
        scores.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getLong(0));
  }

  /**
   * The pool's image models agree with Veil's own image routes on the same image: the route
   * preprocesses the PNG, the protocol client sends the preprocessed tensor (JSON for the digits
   * CNN, binary for ResNet-50).
   */
  @Test
  void imageModelsAgreeWithVeilsRoutes() throws Exception {
    byte[] png = ProtocolHost.sevenPng(28);
    float[] digit = ImageDecoder.decode(png, ImageDecoder.DEFAULT_MAX_PIXELS, ImageTensors::digit);
    JsonArray twice = new JsonArray();
    for (int b = 0; b < 2; b++) for (float v : digit) twice.add(v);
    JsonObject answer =
        json(
            infer(
                "/v2/models/digits/infer", tensor("image", "FP32", "[2,1,28,28]", twice.encode())),
            200);
    JsonArray logits = answer.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    assertEquals(20, logits.size());
    for (int k = 0; k < 10; k++)
      assertEquals(logits.getFloat(k), logits.getFloat(10 + k), "both samples of the batch alike");
    assertSameTop1(
        logits, post(base, "/api/classify-digit", null, png, "content-type", "image/png"), 10);

    byte[] photo = ProtocolHost.sevenPng(300);
    float[] resnetInput =
        ImageDecoder.decode(photo, ImageDecoder.DEFAULT_MAX_PIXELS, ImageTensors::resnet);
    ByteBuffer raw = ByteBuffer.allocate(resnetInput.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(resnetInput);
    JsonObject header =
        new JsonObject()
            .put(
                "inputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "image")
                            .put("datatype", "FP32")
                            .put("shape", new JsonArray("[1,3,224,224]"))
                            .put(
                                "parameters",
                                new JsonObject().put("binary_data_size", raw.capacity()))))
            .put(
                "outputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "logits")
                            .put("parameters", new JsonObject().put("binary_data", true))));
    Binary reply = binary(postBinary("/v2/models/resnet50/infer", header, raw.array()));
    float[] resnetLogits = floats(reply.data, 0, 1000);
    JsonArray asJson = new JsonArray();
    for (float v : resnetLogits) asJson.add(v);
    assertSameTop1(
        asJson, post(base, "/api/classify-image", null, photo, "content-type", "image/png"), 1000);
  }

  private static void assertSameTop1(JsonArray logits, HttpResponse<byte[]> route, int classes) {
    JsonObject top =
        new JsonObject(Buffer.buffer(route.body())).getJsonArray("top5").getJsonObject(0);
    int best = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < classes; k++) {
      if (logits.getDouble(k) > max) {
        max = logits.getDouble(k);
        best = k;
      }
    }
    double sum = 0;
    for (int k = 0; k < classes; k++) sum += Math.exp(logits.getDouble(k) - max);
    assertEquals(top.getInteger("class"), best, "the route's top class");
    assertEquals(
        top.getDouble("confidence"),
        1 / sum,
        1e-5,
        "the route's confidence: softmax of the protocol's logits");
  }

  // ---- helpers

  record Binary(JsonObject header, byte[] data) {}

  private static HttpResponse<byte[]> infer(String path, JsonObject request) throws Exception {
    return post(base, path, key, utf8(request.encode()));
  }

  private static HttpResponse<byte[]> postBinary(String path, JsonObject header, byte[] data)
      throws Exception {
    byte[] json = utf8(header.encode());
    byte[] body = Arrays.copyOf(json, json.length + data.length);
    System.arraycopy(data, 0, body, json.length, data.length);
    return post(
        base,
        path,
        key,
        body,
        HEADER,
        String.valueOf(json.length),
        "content-type",
        "application/octet-stream");
  }

  private static Binary binary(HttpResponse<byte[]> response) {
    assertEquals(
        200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
    int length = Integer.parseInt(response.headers().firstValue(HEADER).orElseThrow());
    return new Binary(
        new JsonObject(Buffer.buffer(Arrays.copyOf(response.body(), length))),
        Arrays.copyOfRange(response.body(), length, response.body().length));
  }

  private static float[] floats(byte[] data, int from, int count) {
    float[] out = new float[count];
    ByteBuffer.wrap(data)
        .order(ByteOrder.LITTLE_ENDIAN)
        .position(from * 4)
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out);
    return out;
  }

  private static JsonObject tensor(String name, String datatype, String shape, String data) {
    return new JsonObject()
        .put(
            "inputs",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", name)
                        .put("datatype", datatype)
                        .put("shape", new JsonArray(shape))
                        .put("data", new JsonArray(data))));
  }

  private static String zeros(int n) {
    return "[" + String.join(",", java.util.Collections.nCopies(n, "0")) + "]";
  }

  private static JsonArray array(double[] values) {
    JsonArray out = new JsonArray();
    for (double v : values) out.add(v);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static JsonObject json(HttpResponse<byte[]> response, int status) {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(status, response.statusCode(), body);
    return new JsonObject(body);
  }

  static void assertError(HttpResponse<byte[]> response, int status, String reason) {
    String error = json(response, status).getString("error");
    assertTrue(
        error != null && error.contains(reason),
        () -> "error '" + error + "' should say '" + reason + "'");
  }
}
