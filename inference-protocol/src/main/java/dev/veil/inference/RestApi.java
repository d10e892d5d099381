package dev.veil.inference;

import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import dev.veil.runtime.spi.AuthKeys;
import dev.veil.runtime.spi.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The protocol's REST API under {@code /v2}: health, server and model metadata, model readiness and
 * inference, with JSON tensors and the binary tensor data extension ({@code
 * Inference-Header-Content-Length}: the first that many bytes of the body are the JSON header, the
 * rest the inputs' binary data in input order).
 */
final class RestApi {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  /** Bodies above this size are decoded on a worker thread instead of the event loop. */
  private static final int DECODE_INLINE_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final ModelRepository repository;
  private final AuthKeys keys;
  private final AuthorizationLevel level;
  private final BooleanSupplier serverReady;
  private final JsonObject serverMetadata;

  RestApi(
      Vertx vertx,
      ModelRepository repository,
      AuthKeys keys,
      AuthorizationLevel level,
      BooleanSupplier serverReady,
      JsonObject serverMetadata) {
    this.vertx = vertx;
    this.repository = repository;
    this.keys = keys;
    this.level = level;
    this.serverReady = serverReady;
    this.serverMetadata = serverMetadata;
  }

  void mount(Router router, long maxRequestBytes) {
    router.get("/v2").handler(ctx -> json(ctx.response(), 200, serverMetadata));
    router
        .get("/v2/health/live")
        .handler(ctx -> json(ctx.response(), 200, new JsonObject().put("live", true)));
    router
        .get("/v2/health/ready")
        .handler(
            ctx -> {
              boolean ready = serverReady.getAsBoolean();
              json(ctx.response(), ready ? 200 : 503, new JsonObject().put("ready", ready));
            });
    // The model repository extension: the index (GET as well as the specification's POST), and
    // load / unload of one model (host keys).
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
      router
          .route(method, "/v2/repository/index")
          .handler(
              ctx -> {
                if (!allowed(ctx, null)) return;
                JsonArray index = new JsonArray();
                for (ServedModel model : repository.models()) {
                  String reason = model.unavailableReason();
                  JsonObject entry =
                      new JsonObject()
                          .put("name", model.name())
                          .put("version", model.version())
                          .put("state", reason == null ? "READY" : "UNAVAILABLE");
                  if (reason != null) entry.put("reason", reason);
                  index.add(entry);
                }
                ctx.response()
                    .setStatusCode(200)
                    .putHeader("content-type", "application/json")
                    .end(index.toBuffer());
              });
    }
    for (String action : List.of("load", "unload")) {
      router
          .post("/v2/repository/models/:model/" + action)
          .handler(
              ctx -> {
                if (!allowed(ctx, null)) return;
                ServedModel model;
                try {
                  model = repository.find(ctx.pathParam("model"), null);
                } catch (InferenceError e) {
                  error(ctx.response(), e.httpStatus(), e.getMessage());
                  return;
                }
                (action.equals("load") ? model.load(vertx) : model.unload(vertx))
                    .onComplete(
                        ar -> {
                          if (ar.succeeded()) ctx.response().setStatusCode(200).end();
                          else {
                            InferenceError e = InferenceError.from(ar.cause());
                            error(
                                ctx.response(),
                                e.httpStatus() == 500 ? 503 : e.httpStatus(),
                                "cannot "
                                    + action
                                    + " model '"
                                    + model.name()
                                    + "': "
                                    + e.getMessage());
                          }
                        });
              });
    }
    for (String base : List.of("/v2/models/:model", "/v2/models/:model/versions/:version")) {
      router
          .get(base)
          .handler(ctx -> withModel(ctx, model -> json(ctx.response(), 200, metadata(model))));
      // Triton's model configuration extension
      router
          .get(base + "/config")
          .handler(
              ctx -> withModel(ctx, model -> json(ctx.response(), 200, model.configuration())));
      router
          .get(base + "/ready")
          .handler(
              ctx ->
                  withModel(
                      ctx,
                      model -> {
                        boolean ready = serverReady.getAsBoolean() && model.ready();
                        json(
                            ctx.response(),
                            ready ? 200 : 503,
                            new JsonObject().put("name", model.name()).put("ready", ready));
                      }));
      router
          .post(base + "/infer")
          .handler(
              ctx ->
                  withModel(
                      ctx,
                      model ->
                          readBounded(ctx.request(), maxRequestBytes, body -> infer(ctx, body))));
    }
    router
        .route("/v2/*")
        .last()
        .handler(
            ctx ->
                error(
                    ctx.response(),
                    404,
                    "nothing is served at "
                        + ctx.request().path()
                        + " (the protocol's endpoints: /v2, /v2/health/live, /v2/health/ready, /v2/models/{model}[/versions/{version}][/ready|/config|/infer],"
                        + " GET|POST /v2/repository/index, POST /v2/repository/models/{model}/load|unload)"));
  }

  static JsonObject metadata(InferenceModel model) {
    return new JsonObject()
        .put("name", model.name())
        .put("versions", new JsonArray().add(model.version()))
        .put("platform", model.platform())
        .put("inputs", specs(model.inputs()))
        .put("outputs", specs(model.outputs()));
  }

  private static JsonArray specs(List<TensorSpec> specs) {
    JsonArray out = new JsonArray();
    specs.forEach(
        s ->
            out.add(
                new JsonObject()
                    .put("name", s.name())
                    .put("datatype", s.datatype().name())
                    .put("shape", JsonTensors.shapeJson(s.shape()))));
    return out;
  }

  private interface ModelHandler {
    void handle(ServedModel model);
  }

  /** Finds the model (404), checks the caller's key for it (401/403), then runs {@code handler}. */
  private void withModel(RoutingContext ctx, ModelHandler handler) {
    ServedModel model;
    try {
      model = repository.find(ctx.pathParam("model"), ctx.pathParam("version"));
    } catch (InferenceError e) {
      error(ctx.response(), e.httpStatus(), e.getMessage());
      return;
    }
    if (allowed(ctx, model)) handler.handle(model);
  }

  /**
   * Whether the caller's key grants the model ({@code null}: the repository, host keys only);
   * answers 401/403 if not.
   */
  private boolean allowed(RoutingContext ctx, InferenceModel model) {
    // no function is named "": only host and master keys (and tokens) grant the repository
    AuthKeys.Verdict verdict =
        keys.check(level, model == null ? "" : model.functionName(), ctx.request());
    if (verdict.allowed()) return true;
    if (verdict.challenge() != null)
      ctx.response().putHeader("WWW-Authenticate", verdict.challenge());
    error(
        ctx.response(),
        verdict.status(),
        verdict.message() != null
            ? verdict.message()
            : (model == null ? "the model repository" : "model '" + model.name() + "'")
                + " needs a valid key (x-functions-key header, code query parameter or Authorization)");
    return false;
  }

  /**
   * Reads the body up to {@code max} bytes, then hands it on; a larger one (declared or sent) is
   * refused with 400 before anything decodes it. Not Vert.x Web's BodyHandler: it would parse a
   * form-encoded body (curl's default content type) as form fields.
   */
  private static void readBounded(HttpServerRequest request, long max, Handler<Buffer> then) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null
        && declared.trim().matches("\\d{1,18}")
        && Long.parseLong(declared.trim()) > max) {
      tooLarge(request, max);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(
        chunk -> {
          if (refused[0]) return;
          if ((long) body.length() + chunk.length() > max) {
            refused[0] = true;
            tooLarge(request, max);
          } else {
            body.appendBuffer(chunk);
          }
        });
    request.endHandler(
        v -> {
          if (!refused[0]) then.handle(body);
        });
    request.resume();
  }

  private static void tooLarge(HttpServerRequest request, long max) {
    HttpErrors.sendAndClose(
        request,
        400,
        "the request body is larger than "
            + max
            + " bytes, the most this server accepts (veil.inferenceProtocol.maxRequestBytes)");
  }

  private void infer(RoutingContext ctx, Buffer body) {
    String model = ctx.pathParam("model");
    String version = ctx.pathParam("version");
    String headerLength = ctx.request().getHeader(HEADER_LENGTH);
    Future<Decoded> decoded =
        body != null && body.length() > DECODE_INLINE_BYTES
            ? vertx.executeBlocking(() -> decode(body, headerLength, model, version), false)
            : attempt(() -> decode(body, headerLength, model, version));
    decoded
        .compose(
            d ->
                repository
                    .infer(vertx, d.request())
                    .map(result -> respond(ctx.response(), d, result)))
        .onFailure(
            err -> {
              InferenceError e = InferenceError.from(err);
              error(ctx.response(), e.httpStatus(), e.getMessage());
            });
  }

  private record Decoded(InferRequest request, List<Boolean> binaryOutputs) {}

  private static Decoded decode(Buffer body, String headerLength, String model, String version) {
    int length = body == null ? 0 : body.length();
    int jsonLength = length;
    if (headerLength != null) {
      try {
        jsonLength = Integer.parseInt(headerLength.trim());
      } catch (NumberFormatException e) {
        jsonLength = -1;
      }
      if (jsonLength < 0 || jsonLength > length) {
        throw InferenceError.badRequest(
            HEADER_LENGTH
                + " is '"
                + headerLength
                + "'; it must be the length of the JSON"
                + " header at the start of the body (0 to "
                + length
                + ")");
      }
    }
    JsonObject json;
    try {
      json = body == null || jsonLength == 0 ? null : new JsonObject(body.getBuffer(0, jsonLength));
    } catch (DecodeException | ClassCastException e) {
      throw InferenceError.badRequest(
          "the request is not a JSON object"
              + (headerLength != null
                  ? " (in its first " + jsonLength + " bytes, per " + HEADER_LENGTH + ")"
                  : "")
              + ": "
              + e.getMessage());
    }
    if (json == null)
      throw InferenceError.badRequest("the request has no body; send {\"inputs\": [...]}");
    JsonObject parameters = JsonTensors.parameters(json.getValue("parameters"), "the request");
    if (!(json.getValue("inputs") instanceof JsonArray inputs) || inputs.isEmpty()) {
      throw InferenceError.badRequest("the request has no \"inputs\" list");
    }
    List<Tensor> tensors = new ArrayList<>();
    int offset = jsonLength;
    for (int i = 0; i < inputs.size(); i++) {
      if (!(inputs.getValue(i) instanceof JsonObject in))
        throw InferenceError.badRequest("input " + i + " is not an object");
      if (!(in.getValue("name") instanceof String name))
        throw InferenceError.badRequest("input " + i + " has no \"name\"");
      String what = "input '" + name + "'";
      Datatype type = Datatype.of(in.getString("datatype"), what);
      long[] shape = JsonTensors.shape(in, what);
      JsonObject tensorParameters = JsonTensors.parameters(in.getValue("parameters"), what);
      Object binarySize = tensorParameters.getValue("binary_data_size");
      Tensor tensor;
      if (binarySize != null) {
        if (in.containsKey("data"))
          throw InferenceError.badRequest(what + " has both \"data\" and binary_data_size");
        if (headerLength == null) {
          throw InferenceError.badRequest(
              what + " has binary_data_size but the request has no " + HEADER_LENGTH + " header");
        }
        if (!(binarySize instanceof Number n)
            || n.longValue() < 0
            || n.doubleValue() != n.longValue()) {
          throw InferenceError.badRequest(
              what + ": binary_data_size is " + binarySize + ", not a byte count");
        }
        if (n.longValue() > length - offset) {
          throw InferenceError.badRequest(
              what
                  + ": binary_data_size is "
                  + n
                  + " but only "
                  + (length - offset)
                  + " bytes of binary data are left in the body");
        }
        int size = n.intValue();
        tensor = Tensor.fromRaw(name, type, shape, body.getBytes(offset, offset + size), what);
        offset += size;
      } else {
        tensor = JsonTensors.decode(name, type, shape, in.getValue("data"), what);
      }
      tensors.add(tensor.parameters(tensorParameters));
    }
    if (offset != length) {
      throw InferenceError.badRequest(
          (length - offset)
              + " bytes of binary data after the JSON header belong to no input"
              + " (the inputs' binary_data_size add up to "
              + (offset - jsonLength)
              + ")");
    }
    boolean binaryByDefault = Boolean.TRUE.equals(parameters.getValue("binary_data_output"));
    List<InferRequest.RequestedOutput> outputs = new ArrayList<>();
    List<Boolean> binary = new ArrayList<>();
    Object requested = json.getValue("outputs");
    if (requested != null && !(requested instanceof JsonArray))
      throw InferenceError.badRequest("\"outputs\" must be a list");
    if (requested instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject out)
            || !(out.getValue("name") instanceof String name)) {
          throw InferenceError.badRequest("output " + i + " has no \"name\"");
        }
        JsonObject p = JsonTensors.parameters(out.getValue("parameters"), "output '" + name + "'");
        outputs.add(new InferRequest.RequestedOutput(name, p));
        Object b = p.getValue("binary_data");
        binary.add(b instanceof Boolean flag ? flag : binaryByDefault);
      }
    }
    if (outputs.isEmpty()) binary.add(binaryByDefault); // one flag for every output
    Object id = json.getValue("id");
    if (id != null && !(id instanceof String))
      throw InferenceError.badRequest("\"id\" must be a string");
    return new Decoded(
        new InferRequest(model, version, (String) id, parameters, tensors, outputs), binary);
  }

  private static Void respond(
      HttpServerResponse response, Decoded decoded, InferRequest.Result result) {
    JsonArray outputs = new JsonArray();
    List<byte[]> binary = new ArrayList<>();
    for (int i = 0; i < result.outputs().size(); i++) {
      Tensor t = result.outputs().get(i);
      boolean asBinary =
          decoded.binaryOutputs().get(Math.min(i, decoded.binaryOutputs().size() - 1));
      JsonObject out =
          new JsonObject()
              .put("name", t.name())
              .put("datatype", t.datatype().name())
              .put("shape", JsonTensors.shapeJson(t.shape()));
      JsonObject parameters = t.parameters().copy();
      if (asBinary) {
        byte[] raw = t.raw();
        binary.add(raw);
        parameters.put("binary_data_size", raw.length);
      } else {
        out.put("data", JsonTensors.data(t));
      }
      if (!parameters.isEmpty()) out.put("parameters", parameters);
      outputs.add(out);
    }
    JsonObject header =
        new JsonObject()
            .put("model_name", result.model().name())
            .put("model_version", result.model().version());
    if (result.id() != null) header.put("id", result.id());
    header.put("outputs", outputs);
    if (binary.isEmpty()) {
      json(response, 200, header);
      return null;
    }
    Buffer head = header.toBuffer();
    Buffer body =
        Buffer.buffer(head.length() + binary.stream().mapToInt(b -> b.length).sum())
            .appendBuffer(head);
    binary.forEach(body::appendBytes);
    response
        .setStatusCode(200)
        .putHeader("content-type", "application/octet-stream")
        .putHeader(HEADER_LENGTH, String.valueOf(head.length()))
        .end(body);
    return null;
  }

  private static <T> Future<T> attempt(java.util.concurrent.Callable<T> work) {
    try {
      return Future.succeededFuture(work.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  static void json(HttpServerResponse response, int status, JsonObject body) {
    if (response.ended()) return;
    response
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body.toBuffer());
  }

  /** The protocol's error body: {@code {"error": "..."}}. */
  static void error(HttpServerResponse response, int status, String message) {
    HttpErrors.send(response, status, message, null);
  }
}
