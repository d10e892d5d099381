package dev.veil.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.veil.functions.breastcancer.BreastCancerModel;
import dev.veil.inference.grpc.GRPCInferenceServiceGrpc;
import dev.veil.inference.grpc.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.veil.inference.grpc.InferParameter;
import dev.veil.inference.grpc.InferTensorContents;
import dev.veil.inference.grpc.ModelInferRequest;
import dev.veil.inference.grpc.ModelInferResponse;
import dev.veil.inference.grpc.ModelMetadataRequest;
import dev.veil.inference.grpc.ModelMetadataResponse;
import dev.veil.inference.grpc.ModelReadyRequest;
import dev.veil.inference.grpc.ServerLiveRequest;
import dev.veil.inference.grpc.ServerMetadataRequest;
import dev.veil.inference.grpc.ServerReadyRequest;
import dev.veil.runtime.VeilHost;
import dev.veil.testkit.TestPki;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC service on a real host, called by grpc-java stubs generated at build time from the same
 * proto (a client stack independent of the server's Vert.x gRPC): on the cleartext HTTP/2 port of a
 * plain host, and on the HTTPS port of a host serving TLS.
 */
class GrpcProtocolTest {
  @TempDir static Path data;
  @TempDir static Path tlsData;
  static VeilHost host;
  static VeilHost tlsHost;
  static ManagedChannel channel;
  static ManagedChannel tlsChannel;
  static GRPCInferenceServiceBlockingStub anonymous;
  static GRPCInferenceServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    host =
        ProtocolHost.start(data, ProtocolHost.protocolConfig(new JsonObject().put("grpcPort", 0)));
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1",
                InferenceProtocolExtension.grpcPort(host.vertx()),
                InsecureChannelCredentials.create())
            .build();
    anonymous =
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    stub = withKey(anonymous, "x-functions-key", host.keys().hostKey());

    TestPki.Issued ca = TestPki.authority("oip-test-ca");
    TestPki.Issued server = TestPki.issue(ca, "localhost", TestPki.KeyType.EC);
    Path chain = server.writeChain(tlsData.resolve("server.pem"));
    Path key = server.writePkcs8Key(tlsData.resolve("server-key.pem"));
    Path trust = ca.writeChain(tlsData.resolve("ca.pem"));
    JsonObject tlsJson = ProtocolHost.protocolConfig(new JsonObject().put("grpcPort", 0));
    tlsJson
        .getJsonObject("veil")
        .put(
            "tls",
            new JsonObject().put("certificate", chain.toString()).put("key", key.toString()));
    tlsHost = ProtocolHost.start(tlsData.resolve("host"), tlsJson);
    tlsChannel =
        Grpc.newChannelBuilderForAddress(
                "localhost",
                tlsHost.port(),
                TlsChannelCredentials.newBuilder().trustManager(trust.toFile()).build())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) channel.shutdownNow();
    if (tlsChannel != null) tlsChannel.shutdownNow();
    ProtocolHost.stop(host);
    ProtocolHost.stop(tlsHost);
  }

  @Test
  void healthAndMetadata() {
    assertTrue(anonymous.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(anonymous.serverReady(ServerReadyRequest.getDefaultInstance()).getReady());
    assertEquals(
        "veil", anonymous.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getName());
    assertTrue(
        anonymous
            .serverMetadata(ServerMetadataRequest.getDefaultInstance())
            .getExtensionsList()
            .contains("binary_tensor_data"));
    assertTrue(
        stub.modelReady(ModelReadyRequest.newBuilder().setName("digits").build()).getReady());
    assertTrue(
        stub.modelReady(ModelReadyRequest.newBuilder().setName("digits").setVersion("1").build())
            .getReady());
    ModelMetadataResponse digits =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("digits").build());
    assertEquals(List.of("1"), digits.getVersionsList());
    assertEquals("image", digits.getInputs(0).getName());
    assertEquals("FP32", digits.getInputs(0).getDatatype());
    assertEquals(List.of(-1L, 1L, 28L, 28L), digits.getInputs(0).getShapeList());
    assertEquals(List.of(-1L, 10L), digits.getOutputs(0).getShapeList());
    ModelMetadataResponse mnist =
        stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("mnist-linear").build());
    assertEquals(
        List.of("scores", "digit"),
        mnist.getOutputsList().stream()
            .map(ModelMetadataResponse.TensorMetadata::getName)
            .toList());
    assertCode(
        Status.Code.NOT_FOUND,
        "unknown model 'nope'",
        () -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
    assertCode(
        Status.Code.NOT_FOUND,
        "no version '3'",
        () ->
            stub.modelReady(
                ModelReadyRequest.newBuilder().setName("digits").setVersion("3").build()));
  }

  /** The specification's example request in gRPC form: typed contents in, raw contents out. */
  @Test
  void typedContentsInRawContentsOut() {
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("mymodel")
            .setId("42")
            .putParameters(
                "binary_data_output", InferParameter.newBuilder().setBoolParam(true).build())
            .addInputs(
                input("input0", "UINT32", List.of(2L, 2L))
                    .setContents(
                        InferTensorContents.newBuilder().addAllUintContents(List.of(1, 2, 3, -1))))
            .addInputs(
                input("input1", "BOOL", List.of(3L))
                    .setContents(
                        InferTensorContents.newBuilder()
                            .addAllBoolContents(List.of(true, false, true))))
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("output1"))
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("output0"))
            .build();
    ModelInferResponse response = stub.modelInfer(request);
    assertEquals("42", response.getId());
    assertEquals("mymodel", response.getModelName());
    assertEquals("1", response.getModelVersion());
    assertEquals(
        List.of("output1", "output0"),
        response.getOutputsList().stream()
            .map(ModelInferResponse.InferOutputTensor::getName)
            .toList());
    assertArrayEquals(new byte[] {0, 1, 0}, response.getRawOutputContents(0).toByteArray());
    float[] out0 = new float[4];
    response
        .getRawOutputContents(1)
        .asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out0);
    assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f, 4294967295.5f}, out0);
    assertEquals(List.of(2L, 2L), response.getOutputs(1).getShapeList());

    ModelInferRequest cancer =
        ModelInferRequest.newBuilder()
            .setModelName("breast-cancer")
            .addInputs(
                input("features", "FP64", List.of(1L, 30L))
                    .setContents(fp64(BreastCancerModel.bundled().scalerMean())))
            .build();
    ModelInferResponse scored = stub.modelInfer(cancer);
    double[] probabilities = new double[2];
    scored
        .getRawOutputContents(0)
        .asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asDoubleBuffer()
        .get(probabilities);
    assertArrayEquals(
        BreastCancerModel.bundled()
            .predict(new double[][] {BreastCancerModel.bundled().scalerMean()})
            .probabilities()[0],
        probabilities);
  }

  @Test
  void everyDatatypeAsRawContents() throws Exception {
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("all-types");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Datatype type : Datatype.values()) {
      JsonArray values = new JsonArray(TensorCodecTest.EXTREMES.get(type));
      values.remove(2);
      byte[] raw = JsonTensors.decode("x", type, new long[] {2}, values, "x").raw();
      all.write(raw);
      request
          .addInputs(input("in_" + type, type.name(), List.of(2L)))
          .addRawInputContents(ByteString.copyFrom(raw));
    }
    ModelInferResponse response = stub.modelInfer(request.build());
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    for (int i = 0; i < Datatype.values().length; i++) {
      assertEquals("out_" + Datatype.values()[i], response.getOutputs(i).getName());
      assertEquals(Datatype.values()[i].name(), response.getOutputs(i).getDatatype());
      back.write(response.getRawOutputContents(i).toByteArray());
    }
    assertArrayEquals(all.toByteArray(), back.toByteArray());
  }

  /** The digits CNN through the pool gives the same logits over gRPC as over REST. */
  @Test
  void digitsOverGrpcMatchRest() throws Exception {
    float[] image = new float[784];
    for (int i = 0; i < 784; i++)
      image[i] = (i % 28 > 10 && i % 28 < 16 && i / 28 > 4 && i / 28 < 24) ? 1f : 0f;
    ByteBuffer raw = ByteBuffer.allocate(784 * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(image);
    ModelInferResponse response =
        stub.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("digits")
                .addInputs(input("image", "FP32", List.of(1L, 1L, 28L, 28L)))
                .addRawInputContents(ByteString.copyFrom(raw.array()))
                .build());
    float[] grpcLogits = new float[10];
    response
        .getRawOutputContents(0)
        .asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(grpcLogits);
    JsonArray data = new JsonArray();
    for (float v : image) data.add(v);
    JsonObject rest =
        RestProtocolTest.json(
            ProtocolHost.post(
                "http://127.0.0.1:" + host.port(),
                "/v2/models/digits/infer",
                host.keys().hostKey(),
                new JsonObject()
                    .put(
                        "inputs",
                        new JsonArray()
                            .add(
                                new JsonObject()
                                    .put("name", "image")
                                    .put("datatype", "FP32")
                                    .put("shape", new JsonArray("[1,1,28,28]"))
                                    .put("data", data)))
                    .toBuffer()
                    .getBytes()),
            200);
    JsonArray restLogits = rest.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
    for (int k = 0; k < 10; k++) assertEquals(restLogits.getFloat(k), grpcLogits[k]);
  }

  @Test
  void badRequestsGetTheirStatusCodes() {
    ModelInferRequest.InferInputTensor.Builder image =
        input("image", "FP32", List.of(1L, 1L, 28L, 28L));
    assertCode(
        Status.Code.NOT_FOUND,
        "unknown model 'nope'",
        () -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nope").build()));
    assertCode(
        Status.Code.NOT_FOUND,
        "no version '9'",
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("digits")
                    .setModelVersion("9")
                    .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "(784 elements of 4 bytes = 3136 bytes) but carries 3000 bytes",
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("digits")
                    .addInputs(image)
                    .addRawInputContents(ByteString.copyFrom(new byte[3000]))
                    .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "has datatype FP32; the request gives FP64",
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("digits")
                    .addInputs(input("image", "FP64", List.of(1L, 1L, 28L, 28L)))
                    .addRawInputContents(ByteString.copyFrom(new byte[784 * 8]))
                    .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "raw_input_contents has 2 entries for 1 inputs",
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("digits")
                    .addInputs(image)
                    .addRawInputContents(ByteString.EMPTY)
                    .addRawInputContents(ByteString.EMPTY)
                    .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "has contents in a field of another datatype",
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("digits")
                    .addInputs(
                        input("image", "FP32", List.of(1L, 1L, 1L, 1L))
                            .setContents(InferTensorContents.newBuilder().addFp64Contents(1)))
                    .build()));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "outside the range of UINT8",
        () ->
            stub.modelInfer(
                ModelInferRequest.newBuilder()
                    .setModelName("all-types")
                    .addInputs(
                        input("in_UINT8", "UINT8", List.of(2L))
                            .setContents(
                                InferTensorContents.newBuilder()
                                    .addUintContents(1)
                                    .addUintContents(300)))
                    .build()));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        "needs a valid key",
        () -> anonymous.modelInfer(ModelInferRequest.newBuilder().setModelName("digits").build()));
    assertCode(
        Status.Code.UNAUTHENTICATED,
        "needs a valid key",
        () ->
            withKey(anonymous, "x-functions-key", host.keys().functionKey("breast-cancer"))
                .modelMetadata(ModelMetadataRequest.newBuilder().setName("digits").build()));
    // keys as the FPGA seed's clients send them: authorization metadata, bare or as a bearer
    assertEquals(
        "digits",
        withKey(anonymous, "authorization", host.keys().functionKey("classify-digit"))
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("digits").build())
            .getName());
    assertEquals(
        "digits",
        withKey(anonymous, "authorization", "Bearer " + host.keys().functionKey("classify-digit"))
            .modelMetadata(ModelMetadataRequest.newBuilder().setName("digits").build())
            .getName());
  }

  @Test
  void tlsHostServesGrpcOnItsHttpsPort() {
    assertEquals(
        -1,
        InferenceProtocolExtension.grpcPort(tlsHost.vertx()),
        "no cleartext gRPC port beside TLS");
    GRPCInferenceServiceBlockingStub tls =
        withKey(
            GRPCInferenceServiceGrpc.newBlockingStub(tlsChannel)
                .withDeadlineAfter(60, TimeUnit.SECONDS),
            "x-functions-key",
            tlsHost.keys().hostKey());
    assertTrue(tls.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    ModelInferResponse response =
        tls.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("mymodel")
                .addInputs(
                    input("input0", "UINT32", List.of(2L, 2L))
                        .setContents(
                            InferTensorContents.newBuilder()
                                .addAllUintContents(List.of(7, 8, 9, 10))))
                .addInputs(
                    input("input1", "BOOL", List.of(3L))
                        .setContents(
                            InferTensorContents.newBuilder()
                                .addAllBoolContents(List.of(false, false, true))))
                .build());
    float[] out0 = new float[4];
    response
        .getRawOutputContents(0)
        .asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out0);
    assertArrayEquals(new float[] {7.5f, 8.5f, 9.5f, 10.5f}, out0);
  }

  // ---- helpers

  private static ModelInferRequest.InferInputTensor.Builder input(
      String name, String datatype, List<Long> shape) {
    return ModelInferRequest.InferInputTensor.newBuilder()
        .setName(name)
        .setDatatype(datatype)
        .addAllShape(shape);
  }

  private static InferTensorContents.Builder fp64(double[] values) {
    InferTensorContents.Builder out = InferTensorContents.newBuilder();
    for (double v : values) out.addFp64Contents(v);
    return out;
  }

  private static GRPCInferenceServiceBlockingStub withKey(
      GRPCInferenceServiceBlockingStub stub, String header, String key) {
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
  }

  private static void assertCode(Status.Code code, String reason, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    String message = e.getStatus().getDescription();
    assertTrue(
        message != null && message.contains(reason),
        () -> "'" + message + "' should say '" + reason + "'");
  }
}
