package dev.veil.functions.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.BlobOutput;
import com.microsoft.azure.functions.annotation.BlobTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.fpga.PoolException;
import dev.veil.functions.StandaloneScope;
import dev.veil.functions.http.ErrorResponses;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.runtime.spi.HostScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Image classification functions. The ResNet-50 pipeline (preprocess, featurizer on the accelerator
 * pool, classifier head) answers the top-5 ImageNet classes; its weights are seeded, not trained,
 * so its labels are not meaningful predictions. The digits CNN, trained on MNIST digits, goes
 * through the same pool and gives real answers.
 */
public class ImageFunctions {
  static final ObjectMapper JSON = new ObjectMapper();

  private final ImagePipelines pipelines;

  /** On Azure's Java worker: the process's {@link StandaloneScope}. */
  public ImageFunctions() {
    this(StandaloneScope.get());
  }

  /** In a Veil host: the host's scope, whose Vert.x the pools run on. */
  public ImageFunctions(HostScope scope) {
    this.pipelines = ImagePipelines.of(scope);
  }

  /** {@code POST /api/classify-image}: raw JPEG/PNG bytes or a multipart form with the file. */
  @FunctionName("classify-image")
  public HttpResponseMessage classifyImage(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              route = "classify-image",
              authLevel = AuthorizationLevel.ANONYMOUS,
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    return respond(request, ImageModels.RESNET50, pipelines::resnet50);
  }

  /** {@code POST /api/classify-digit}: an image of one handwritten digit. */
  @FunctionName("classify-digit")
  public HttpResponseMessage classifyDigit(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              route = "classify-digit",
              authLevel = AuthorizationLevel.ANONYMOUS,
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    return respond(request, ImageModels.DIGITS, pipelines::digits);
  }

  /** Every image dropped into {@code images/} gets {@code <name>.top5.json} written next to it. */
  @FunctionName("classify-image-blob")
  public void classifyImageBlob(
      @BlobTrigger(name = "image", path = "images/{name}", dataType = "binary") byte[] image,
      @BindingName("name") String name,
      @BlobOutput(name = "top5", path = "images/{name}.top5.json") OutputBinding<String> top5,
      ExecutionContext context)
      throws JsonProcessingException {
    if (name.endsWith(".top5.json")) return; // our own output, landing in the watched container
    List<Prediction> predictions = pipelines.resnet50().classify(image);
    top5.setValue(JSON.writeValueAsString(body(ImageModels.RESNET50, name, predictions)));
  }

  private static HttpResponseMessage respond(
      HttpRequestMessage<Optional<byte[]>> request, String model, Supplier<ImageModels> pipeline) {
    try {
      byte[] image = imageBytes(request);
      return json(request, 200, body(model, null, pipeline.get().classify(image)));
    } catch (FunctionFailure e) {
      return ErrorResponses.of(request, e);
    } catch (PoolException e) { // the pool's own failures carry their status (400, 429, 503, 504)
      return json(request, e.httpStatus(), Map.of("error", e.getMessage()));
    }
  }

  /** The image in the request: the body itself, or the file part of a multipart form. */
  static byte[] imageBytes(HttpRequestMessage<Optional<byte[]>> request) {
    byte[] body = request.getBody().orElse(new byte[0]);
    String type = header(request.getHeaders(), "content-type");
    String mime =
        type == null
            ? "application/octet-stream"
            : type.split(";")[0].trim().toLowerCase(Locale.ROOT);
    return switch (mime) {
      case "image/jpeg", "image/png", "application/octet-stream" -> body;
      case "multipart/form-data" -> Multipart.imageFile(body, type);
      default ->
          throw FunctionFailure.badInput(
              "unsupported Content-Type '"
                  + mime
                  + "': send image/jpeg, image/png, application/octet-stream or multipart/form-data");
    };
  }

  private static Map<String, Object> body(String model, String name, List<Prediction> predictions) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    if (name != null) body.put("image", name);
    body.put("top5", predictions);
    return body;
  }

  private static String header(Map<String, String> headers, String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
    }
    return null;
  }

  private static HttpResponseMessage json(HttpRequestMessage<?> request, int status, Object body) {
    try {
      return request
          .createResponseBuilder(HttpStatusType.custom(status))
          .header("Content-Type", "application/json")
          .body(JSON.writeValueAsString(body))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
