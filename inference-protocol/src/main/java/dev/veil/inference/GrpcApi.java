package dev.veil.inference;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.inference.grpc.InferParameter;
import dev.veil.inference.grpc.InferTensorContents;
import dev.veil.inference.grpc.ModelInferRequest;
import dev.veil.inference.grpc.ModelInferResponse;
import dev.veil.inference.grpc.ModelMetadataRequest;
import dev.veil.inference.grpc.ModelMetadataResponse;
import dev.veil.inference.grpc.ModelReadyRequest;
import dev.veil.inference.grpc.ModelReadyResponse;
import dev.veil.inference.grpc.ServerLiveRequest;
import dev.veil.inference.grpc.ServerLiveResponse;
import dev.veil.inference.grpc.ServerMetadataRequest;
import dev.veil.inference.grpc.ServerMetadataResponse;
import dev.veil.inference.grpc.ServerReadyRequest;
import dev.veil.inference.grpc.ServerReadyResponse;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * The protocol's gRPC service {@code inference.GRPCInferenceService} on Vert.x gRPC. Keys come from
 * the {@code x-functions-key} metadata or {@code authorization} (the bare key, or {@code Bearer
 * <key>}). Outputs always travel as {@code raw_output_contents}, as Triton sends them.
 */
final class GrpcApi {
  static final ServiceName SERVICE = ServiceName.create("inference", "GRPCInferenceService");
  static final List<String> METHODS =
      List.of(
          "ServerLive",
          "ServerReady",
          "ModelReady",
          "ServerMetadata",
          "ModelMetadata",
          "ModelInfer");

  private final Vertx vertx;
  private final ModelRepository repository;
  private final AuthKeys keys;
  private final AuthorizationLevel level;
  private final GrpcServer server;

  GrpcApi(
      Vertx vertx,
      ModelRepository repository,
      AuthKeys keys,
      AuthorizationLevel level,
      BooleanSupplier serverReady,
      JsonObject serverMetadata,
      long maxMessageBytes) {
    this.vertx = vertx;
    this.repository = repository;
    this.keys = keys;
    this.level = level;
    server = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageBytes));
    unary(
        "ServerLive",
        ServerLiveRequest.getDefaultInstance(),
        (md, r) -> Future.succeededFuture(ServerLiveResponse.newBuilder().setLive(true).build()));
    unary(
        "ServerReady",
        ServerReadyRequest.getDefaultInstance(),
        (md, r) ->
            Future.succeededFuture(
                ServerReadyResponse.newBuilder().setReady(serverReady.getAsBoolean()).build()));
    unary(
        "ServerMetadata",
        ServerMetadataRequest.getDefaultInstance(),
        (md, r) -> {
          ServerMetadataResponse.Builder out =
              ServerMetadataResponse.newBuilder()
                  .setName(serverMetadata.getString("name"))
                  .setVersion(serverMetadata.getString("version"));
          serverMetadata.getJsonArray("extensions").forEach(e -> out.addExtensions((String) e));
          return Future.succeededFuture(out.build());
        });
    unary(
        "ModelReady",
        ModelReadyRequest.getDefaultInstance(),
        (md, r) -> {
          InferenceModel model = authorized(md, r.getName(), r.getVersion());
          return Future.succeededFuture(
              ModelReadyResponse.newBuilder()
                  .setReady(serverReady.getAsBoolean() && model.ready())
                  .build());
        });
    unary(
        "ModelMetadata",
        ModelMetadataRequest.getDefaultInstance(),
        (md, r) -> {
          InferenceModel model = authorized(md, r.getName(), r.getVersion());
          ModelMetadataResponse.Builder out =
              ModelMetadataResponse.newBuilder()
                  .setName(model.name())
                  .addVersions(model.version())
                  .setPlatform(model.platform());
          model.inputs().forEach(s -> out.addInputs(metadata(s)));
          model.outputs().forEach(s -> out.addOutputs(metadata(s)));
          return Future.succeededFuture(out.build());
        });
    unary(
        "ModelInfer",
        ModelInferRequest.getDefaultInstance(),
        (md, r) -> {
          authorized(md, r.getModelName(), r.getModelVersion());
          return repository.infer(vertx, request(r)).map(GrpcApi::response);
        });
  }

  /**
   * The handler of every gRPC call ({@code POST /inference.GRPCInferenceService/<method>} over
   * HTTP/2).
   */
  GrpcServer server() {
    return server;
  }

  private <Req extends Message, Resp extends MessageLite> void unary(
      String method, Req prototype, BiFunction<MultiMap, Req, Future<Resp>> handler) {
    ServiceMethod<Req, Resp> serviceMethod =
        ServiceMethod.server(
            SERVICE, method, GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(prototype));
    server.callHandler(
        serviceMethod,
        call ->
            call.handler(
                message -> {
                  Future<Resp> answer;
                  try {
                    answer = handler.apply(call.headers(), message);
                  } catch (RuntimeException e) {
                    answer = Future.failedFuture(e);
                  }
                  answer.onComplete(
                      ar -> {
                        if (ar.succeeded()) {
                          call.response().end(ar.result());
                        } else {
                          InferenceError e = InferenceError.from(ar.cause());
                          call.response()
                              .status(e.grpcStatus())
                              .statusMessage(e.getMessage())
                              .end();
                        }
                      });
                }));
  }

  private InferenceModel authorized(MultiMap metadata, String name, String version) {
    InferenceModel model = repository.find(name, version);
    String key = metadata.get(HttpErrors.KEY_HEADER);
    if (key == null) {
      String authorization = metadata.get("authorization");
      key =
          authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
              ? authorization.substring(7).trim()
              : authorization;
    }
    if (!keys.authorizes(level, model.functionName(), key)) {
      throw new InferenceError(
          401,
          "model '"
              + model.name()
              + "' needs a valid key (x-functions-key or authorization metadata)");
    }
    return model;
  }

  private static ModelMetadataResponse.TensorMetadata metadata(TensorSpec spec) {
    ModelMetadataResponse.TensorMetadata.Builder out =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(spec.name())
            .setDatatype(spec.datatype().name());
    for (long d : spec.shape()) out.addShape(d);
    return out.build();
  }

  static InferRequest request(ModelInferRequest r) {
    int raw = r.getRawInputContentsCount();
    if (raw > 0 && raw != r.getInputsCount()) {
      throw InferenceError.badRequest(
          "raw_input_contents has "
              + raw
              + " entries for "
              + r.getInputsCount()
              + " inputs; it needs one per input, in order");
    }
    List<Tensor> inputs = new ArrayList<>();
    for (int i = 0; i < r.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor in = r.getInputs(i);
      String what = "input '" + in.getName() + "'";
      Datatype type = Datatype.of(in.getDatatype(), what);
      long[] shape = in.getShapeList().stream().mapToLong(Long::longValue).toArray();
      Tensor.elementCount(shape, what);
      Tensor tensor;
      if (raw > 0) {
        if (in.hasContents())
          throw InferenceError.badRequest(what + " has contents beside raw_input_contents");
        tensor =
            Tensor.fromRaw(in.getName(), type, shape, r.getRawInputContents(i).toByteArray(), what);
      } else {
        tensor = contents(in.getName(), type, shape, in.getContents(), what);
      }
      inputs.add(tensor.parameters(parameters(in.getParametersMap())));
    }
    List<InferRequest.RequestedOutput> outputs = new ArrayList<>();
    r.getOutputsList()
        .forEach(
            o ->
                outputs.add(
                    new InferRequest.RequestedOutput(
                        o.getName(), parameters(o.getParametersMap()))));
    return new InferRequest(
        r.getModelName(),
        r.getModelVersion(),
        r.getId().isEmpty() ? null : r.getId(),
        parameters(r.getParametersMap()),
        inputs,
        outputs);
  }

  /**
   * A tensor from the typed contents field its datatype uses; 400 when elements sit in another
   * field or miscount.
   */
  private static Tensor contents(
      String name, Datatype type, long[] shape, InferTensorContents c, String what) {
    long count = Tensor.elementCount(shape, what);
    int given =
        c.getBoolContentsCount()
            + c.getIntContentsCount()
            + c.getInt64ContentsCount()
            + c.getUintContentsCount()
            + c.getUint64ContentsCount()
            + c.getFp32ContentsCount()
            + c.getFp64ContentsCount()
            + c.getBytesContentsCount();
    int inField =
        switch (type) {
          case BOOL -> c.getBoolContentsCount();
          case INT8, INT16, INT32 -> c.getIntContentsCount();
          case INT64 -> c.getInt64ContentsCount();
          case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
          case UINT64 -> c.getUint64ContentsCount();
          case FP16 ->
              throw InferenceError.badRequest(
                  what + " is FP16, which travels only as raw_input_contents");
          case FP32 -> c.getFp32ContentsCount();
          case FP64 -> c.getFp64ContentsCount();
          case BYTES -> c.getBytesContentsCount();
        };
    if (inField != given) {
      throw InferenceError.badRequest(
          what + " is " + type + " but has contents in a field of another datatype");
    }
    if (inField != count) {
      throw InferenceError.badRequest(
          what
              + " has shape "
              + java.util.Arrays.toString(shape)
              + " ("
              + count
              + " elements) but its contents hold "
              + inField);
    }
    if (type == Datatype.BYTES) {
      return Tensor.bytes(
          name,
          shape,
          c.getBytesContentsList().stream().map(ByteString::toByteArray).toList(),
          what);
    }
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(count * type.size)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < inField; i++) {
      switch (type) {
        case BOOL -> out.put((byte) (c.getBoolContents(i) ? 1 : 0));
        case INT8, INT16, INT32 ->
            Elements.putInteger(out, type, BigInteger.valueOf(c.getIntContents(i)), what, i);
        case INT64 -> out.putLong(c.getInt64Contents(i));
        case UINT8, UINT16, UINT32 ->
            Elements.putInteger(
                out,
                type,
                BigInteger.valueOf(Integer.toUnsignedLong(c.getUintContents(i))),
                what,
                i);
        case UINT64 -> out.putLong(c.getUint64Contents(i));
        case FP32 -> out.putFloat(c.getFp32Contents(i));
        case FP64 -> out.putDouble(c.getFp64Contents(i));
        default -> throw new IllegalStateException();
      }
    }
    return Tensor.fixed(name, type, shape, out.array(), what);
  }

  private static JsonObject parameters(Map<String, InferParameter> parameters) {
    JsonObject out = new JsonObject();
    parameters.forEach(
        (k, p) -> {
          switch (p.getParameterChoiceCase()) {
            case BOOL_PARAM -> out.put(k, p.getBoolParam());
            case INT64_PARAM -> out.put(k, p.getInt64Param());
            case STRING_PARAM -> out.put(k, p.getStringParam());
            case DOUBLE_PARAM -> out.put(k, p.getDoubleParam());
            case UINT64_PARAM ->
                out.put(k, new BigInteger(Long.toUnsignedString(p.getUint64Param())));
            default -> {} // unset: no value
          }
        });
    return out;
  }

  private static InferParameter parameter(Object value) {
    InferParameter.Builder p = InferParameter.newBuilder();
    if (value instanceof Boolean b) return p.setBoolParam(b).build();
    if (value instanceof Double || value instanceof Float)
      return p.setDoubleParam(((Number) value).doubleValue()).build();
    if (value instanceof Number n) return p.setInt64Param(n.longValue()).build();
    return p.setStringParam(String.valueOf(value)).build();
  }

  private static ModelInferResponse response(InferRequest.Result result) {
    ModelInferResponse.Builder out =
        ModelInferResponse.newBuilder()
            .setModelName(result.model().name())
            .setModelVersion(result.model().version());
    if (result.id() != null) out.setId(result.id());
    for (Tensor t : result.outputs()) {
      ModelInferResponse.InferOutputTensor.Builder tensor =
          ModelInferResponse.InferOutputTensor.newBuilder()
              .setName(t.name())
              .setDatatype(t.datatype().name());
      for (long d : t.shape()) tensor.addShape(d);
      t.parameters().forEach(e -> tensor.putParameters(e.getKey(), parameter(e.getValue())));
      out.addOutputs(tensor).addRawOutputContents(ByteString.copyFrom(t.raw()));
    }
    return out.build();
  }
}
