package dev.veil.inference;

import com.google.protobuf.ByteString;
import dev.veil.functions.image.ImageDecoder;
import dev.veil.functions.image.ImageTensors;
import dev.veil.inference.grpc.GRPCInferenceServiceGrpc;
import dev.veil.inference.grpc.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.veil.inference.grpc.ModelInferRequest;
import dev.veil.runtime.VeilHost;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test: one host, one model, four ways to call it, closed-loop clients (1 and 16):
 * the protocol's REST API with JSON tensors, with the binary tensor data extension, its gRPC API
 * (raw contents, grpc-java client, one HTTP/2 channel), and Veil's own route ({@code
 * /api/classify-digit} or {@code /api/classify-image}, which take an image file: PNG decode and
 * preprocessing included there, while the protocol's clients send the preprocessed tensor). Peers
 * alternate within each round. Run: bench/inference-protocol.sh; properties bench.models
 * (digits,resnet50), bench.seconds (5 per measurement), bench.rounds (2), bench.clients (1,16).
 */
public final class ProtocolBenchmark {
  private static final List<String> MODELS =
      List.of(System.getProperty("bench.models", "digits,resnet50").split(","));
  private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 2);
  private static final List<Integer> CLIENTS =
      Arrays.stream(System.getProperty("bench.clients", "1,16").split(","))
          .map(Integer::valueOf)
          .toList();

  private interface Call {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path data = Files.createTempDirectory("oip-bench");
    JsonObject hostJson = ProtocolHost.protocolConfig(new JsonObject().put("grpcPort", 0));
    hostJson.getJsonObject("veil").put("workerPoolSize", 32);
    VeilHost host = ProtocolHost.start(data, hostJson);
    String base = "http://127.0.0.1:" + host.port();
    String key = host.keys().hostKey();
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1",
                InferenceProtocolExtension.grpcPort(host.vertx()),
                InsecureChannelCredentials.create())
            .build();
    Metadata metadata = new Metadata();
    metadata.put(Metadata.Key.of("x-functions-key", Metadata.ASCII_STRING_MARSHALLER), key);
    GRPCInferenceServiceBlockingStub stub =
        GRPCInferenceServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
    System.out.printf(
        "cores %d, %d s per measurement, %d rounds, median round shown, latencies pooled%n",
        Runtime.getRuntime().availableProcessors(), SECONDS, ROUNDS);
    try {
      for (String model : MODELS) {
        boolean digits = model.equals("digits");
        byte[] image = ProtocolHost.sevenPng(digits ? 28 : 300);
        float[] tensor =
            ImageDecoder.decode(
                image,
                ImageDecoder.DEFAULT_MAX_PIXELS,
                digits ? ImageTensors::digit : ImageTensors::resnet);
        JsonArray shape = digits ? new JsonArray("[1,1,28,28]") : new JsonArray("[1,3,224,224]");
        JsonArray values = new JsonArray();
        for (float v : tensor) values.add(v);
        byte[] jsonBody =
            new JsonObject()
                .put(
                    "inputs",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("name", "image")
                                .put("datatype", "FP32")
                                .put("shape", shape)
                                .put("data", values)))
                .encode()
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer raw = ByteBuffer.allocate(tensor.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(tensor);
        byte[] header =
            new JsonObject()
                .put(
                    "inputs",
                    new JsonArray()
                        .add(
                            new JsonObject()
                                .put("name", "image")
                                .put("datatype", "FP32")
                                .put("shape", shape)
                                .put(
                                    "parameters",
                                    new JsonObject().put("binary_data_size", raw.capacity()))))
                .put("parameters", new JsonObject().put("binary_data_output", true))
                .encode()
                .getBytes(StandardCharsets.UTF_8);
        byte[] binaryBody = Arrays.copyOf(header, header.length + raw.capacity());
        System.arraycopy(raw.array(), 0, binaryBody, header.length, raw.capacity());
        ModelInferRequest grpcRequest =
            ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(
                    ModelInferRequest.InferInputTensor.newBuilder()
                        .setName("image")
                        .setDatatype("FP32")
                        .addAllShape(shape.stream().map(d -> ((Number) d).longValue()).toList()))
                .addRawInputContents(ByteString.copyFrom(raw.array()))
                .build();
        String infer = "/v2/models/" + model + "/infer";
        String route = digits ? "/api/classify-digit" : "/api/classify-image";
        Map<String, Call> peers = new LinkedHashMap<>();
        peers.put("REST JSON", () -> ok(ProtocolHost.post(base, infer, key, jsonBody)));
        peers.put(
            "REST binary",
            () ->
                ok(
                    ProtocolHost.post(
                        base,
                        infer,
                        key,
                        binaryBody,
                        RestApi.HEADER_LENGTH,
                        String.valueOf(header.length))));
        peers.put(
            "gRPC", () -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(grpcRequest));
        peers.put(
            "Veil route " + route,
            () -> ok(ProtocolHost.post(base, route, null, image, "content-type", "image/png")));
        System.out.printf(
            "%n%s: JSON request %d bytes, binary %d bytes, image file %d bytes%n",
            model, jsonBody.length, binaryBody.length, image.length);
        for (Call c : peers.values())
          for (int i = 0; i < 20; i++) c.run(); // warm-up: pool start, JIT
        for (int clients : CLIENTS) {
          Map<String, List<double[]>> rounds = new LinkedHashMap<>();
          Map<String, List<Long>> latencies = new LinkedHashMap<>();
          for (int r = 0; r < ROUNDS; r++) {
            for (var peer : peers.entrySet()) {
              List<Long> lat = new ArrayList<>();
              double rps = measure(peer.getValue(), clients, lat);
              rounds.computeIfAbsent(peer.getKey(), k -> new ArrayList<>()).add(new double[] {rps});
              latencies.computeIfAbsent(peer.getKey(), k -> new ArrayList<>()).addAll(lat);
            }
          }
          System.out.printf(
              "%-30s %8s %10s %10s   (%d client%s)%n",
              "peer", "req/s", "p50 ms", "p99 ms", clients, clients == 1 ? "" : "s");
          for (String peer : peers.keySet()) {
            double[] rps = rounds.get(peer).stream().mapToDouble(a -> a[0]).sorted().toArray();
            long[] lat = latencies.get(peer).stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(
                "%-30s %8.1f %10.2f %10.2f%n",
                peer,
                rps[rps.length / 2],
                lat[lat.length / 2] / 1e6,
                lat[Math.min(lat.length - 1, (int) Math.ceil(lat.length * 0.99) - 1)] / 1e6);
          }
        }
      }
    } finally {
      channel.shutdownNow();
      ProtocolHost.stop(host);
    }
    System.exit(0); // a benchmark process: some client library's threads would keep the JVM alive
  }

  private static void ok(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200)
      throw new IllegalStateException(
          response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8));
  }

  /**
   * Closed loop: {@code clients} threads call back to back for the measurement's seconds; requests
   * per second.
   */
  private static double measure(Call call, int clients, List<Long> latencies) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long end = System.nanoTime() + SECONDS * 1_000_000_000L;
    List<Future<List<Long>>> results = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      results.add(
          pool.submit(
              () -> {
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < end) {
                  long t = System.nanoTime();
                  call.run();
                  mine.add(System.nanoTime() - t);
                }
                return mine;
              }));
    }
    int count = 0;
    for (Future<List<Long>> f : results) {
      List<Long> mine = f.get();
      count += mine.size();
      latencies.addAll(mine);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    return count / elapsed;
  }
}
