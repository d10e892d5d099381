package dev.veil.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.veil.functions.encrypted.EncryptedClient;
import dev.veil.functions.encrypted.EncryptedFunctions;
import dev.veil.functions.keys.BlobKeyStore;
import dev.veil.functions.keys.KeyBundle;
import dev.veil.functions.keys.KeyRef;
import dev.veil.functions.keys.KeyStoreSettings;
import dev.veil.functions.mnist.MnistLinearModel;
import dev.veil.inference.grpc.GRPCInferenceServiceGrpc;
import dev.veil.inference.grpc.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.veil.inference.grpc.InferParameter;
import dev.veil.inference.grpc.InferTensorContents;
import dev.veil.inference.grpc.ModelInferRequest;
import dev.veil.inference.grpc.ModelInferResponse;
import dev.veil.runtime.VeilHost;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encrypted functions over the protocol: a real SEAL (he-native) client makes keys and encrypts
 * a digit, the key bundle sits in a local key directory, the ciphertext travels as a BYTES tensor
 * (gRPC and the REST binary extension) and decrypts to the plaintext model's scores.
 */
class EncryptedProtocolTest {
  private static final String CONTAINER = "veil-keys";
  private static final String KEY_ID = "oip-test";
  @TempDir static Path data;
  @TempDir static Path keys;
  static VeilHost host;
  static ManagedChannel channel;
  static GRPCInferenceServiceBlockingStub stub;
  static EncryptedClient client;
  static double[] digit = new double[784];

  @BeforeAll
  static void start() throws Exception {
    host =
        ProtocolHost.start(
            data,
            ProtocolHost.protocolConfig(new JsonObject().put("grpcPort", 0)),
            java.util.Map.of(KeyStoreSettings.DIR, keys.toString()));
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1",
                InferenceProtocolExtension.grpcPort(host.vertx()),
                InsecureChannelCredentials.create())
            .build();
    Metadata metadata = new Metadata();
    metadata.put(
        Metadata.Key.of("x-functions-key", Metadata.ASCII_STRING_MARSHALLER),
        host.keys().hostKey());
    stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
            .withDeadlineAfter(120, TimeUnit.SECONDS);
    JsonNode params =
        new ObjectMapper().valueToTree(EncryptedFunctions.of(host.scope()).mnist().heParams());
    client = new EncryptedClient(params, null);
    KeyBundle bundle = client.keyBundle();
    BlobKeyStore.inFolder(keys, 1L << 30).upload(new KeyRef(CONTAINER, KEY_ID), bundle.encode());
    for (int i = 0; i < 784; i++)
      digit[i] = (i % 28 > 8 && i % 28 < 18 && i / 28 > 5 && i / 28 < 22) ? 0.9 : 0.0;
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (channel != null) channel.shutdownNow();
    ProtocolHost.stop(host);
  }

  @Test
  void ciphertextOverGrpcDecryptsToThePlaintextScores() {
    ModelInferResponse response =
        stub.modelInfer(request(KEY_ID, client.encrypt(List.of(digit))).build());
    assertEquals("ciphertext", response.getOutputs(0).getName());
    assertEquals(10, response.getOutputs(0).getParametersOrThrow("outputs").getInt64Param());
    ByteBuffer raw =
        response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] result = new byte[raw.getInt()];
    raw.get(result);
    assertScores(client.decrypt(result, 1)[0]);
  }

  @Test
  void ciphertextOverRestBinaryExtension() throws Exception {
    byte[] ciphertext = client.encrypt(List.of(digit));
    byte[] raw =
        ByteBuffer.allocate(4 + ciphertext.length)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(ciphertext.length)
            .put(ciphertext)
            .array();
    byte[] header =
        new JsonObject()
            .put(
                "inputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "ciphertext")
                            .put("datatype", "BYTES")
                            .put("shape", new JsonArray().add(1))
                            .put(
                                "parameters",
                                new JsonObject()
                                    .put("binary_data_size", raw.length)
                                    .put("key_id", KEY_ID)
                                    .put("container", CONTAINER))))
            .put("parameters", new JsonObject().put("binary_data_output", true))
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(header, header.length + raw.length);
    System.arraycopy(raw, 0, body, header.length, raw.length);
    HttpResponse<byte[]> response =
        ProtocolHost.post(
            "http://127.0.0.1:" + host.port(),
            "/v2/models/encrypted-mnist/infer",
            host.keys().hostKey(),
            body,
            RestApi.HEADER_LENGTH,
            String.valueOf(header.length));
    assertEquals(
        200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
    int length =
        Integer.parseInt(response.headers().firstValue(RestApi.HEADER_LENGTH).orElseThrow());
    JsonObject out =
        new JsonObject(Buffer.buffer(Arrays.copyOf(response.body(), length)))
            .getJsonArray("outputs")
            .getJsonObject(0);
    assertEquals(10, out.getJsonObject("parameters").getInteger("outputs"));
    ByteBuffer result =
        ByteBuffer.wrap(response.body(), length, response.body().length - length)
            .order(ByteOrder.LITTLE_ENDIAN);
    byte[] ciphertextOut = new byte[result.getInt()];
    result.get(ciphertextOut);
    assertScores(client.decrypt(ciphertextOut, 1)[0]);
  }

  @Test
  void missingOrUnknownKeysAreRefused() {
    byte[] ciphertext = client.encrypt(List.of(digit));
    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub.modelInfer(request("nobody", ciphertext).build()));
    assertEquals(
        Status.Code.NOT_FOUND, unknown.getStatus().getCode(), unknown.getStatus().toString());
    ModelInferRequest.Builder noKey = request(KEY_ID, ciphertext);
    noKey.getInputsBuilder(0).removeParameters("key_id");
    StatusRuntimeException missing =
        assertThrows(StatusRuntimeException.class, () -> stub.modelInfer(noKey.build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());
    assertTrue(
        missing.getStatus().getDescription().contains("needs the parameter key_id"),
        missing.getStatus().toString());
    StatusRuntimeException garbage =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.modelInfer(
                    request(KEY_ID, "not a ciphertext".getBytes(StandardCharsets.UTF_8)).build()));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        garbage.getStatus().getCode(),
        garbage.getStatus().toString());
  }

  private static ModelInferRequest.Builder request(String keyId, byte[] ciphertext) {
    return ModelInferRequest.newBuilder()
        .setModelName("encrypted-mnist")
        .addInputs(
            ModelInferRequest.InferInputTensor.newBuilder()
                .setName("ciphertext")
                .setDatatype("BYTES")
                .addShape(1)
                .putParameters("key_id", InferParameter.newBuilder().setStringParam(keyId).build())
                .putParameters(
                    "container", InferParameter.newBuilder().setStringParam(CONTAINER).build())
                .setContents(
                    InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFrom(ciphertext))));
  }

  private static void assertScores(double[] decrypted) {
    double[] plain = MnistLinearModel.bundled().scores(digit);
    for (int k = 0; k < 10; k++) assertEquals(plain[k], decrypted[k], 1e-2, "score " + k);
  }
}
