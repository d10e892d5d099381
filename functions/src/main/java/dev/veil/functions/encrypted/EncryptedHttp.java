package dev.veil.functions.encrypted;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import dev.veil.functions.http.ErrorResponses;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.keys.KeyBundleNotFoundException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * HTTP shape of the encrypted functions: request parsing, result and error responses (JSON errors,
 * no traces).
 */
final class EncryptedHttp {

  private static final ObjectMapper JSON = new ObjectMapper();

  private EncryptedHttp() {}

  static HttpResponseMessage evaluate(
      EncryptedInference inference, HttpRequestMessage<Optional<byte[]>> request, Logger log) {
    try {
      StageTimes times = new StageTimes();
      EncryptedRequest parsed =
          EncryptedRequest.parse(
              request.getBody().orElse(null),
              name -> header(request, name),
              name -> request.getQueryParameters().get(name));
      String accept = header(request, "accept");
      ResultBody shape =
          parsed.binary()
                  || (accept != null
                      && accept.toLowerCase(Locale.ROOT).contains("application/octet-stream"))
              ? ResultBody.BINARY
              : ResultBody.JSON;
      times.end("parse");
      EncryptedInference.Result result = inference.evaluate(parsed, shape, times);
      EncryptedModel model = result.model();
      return request
          .createResponseBuilder(HttpStatus.OK)
          .header("Content-Type", shape.contentType())
          .header("x-veil-window", Integer.toString(model.window()))
          .header("x-veil-outputs", Integer.toString(model.outputs()))
          .header("Server-Timing", times.header())
          .body(result.body())
          .build();
    } catch (KeyBundleNotFoundException e) {
      return ErrorResponses.of(request, e, e.getMessage() + "; upload the key bundle first");
    } catch (FunctionFailure e) {
      if (e.meaning() == FunctionFailure.Meaning.UNAVAILABLE) {
        log.warning("encrypted inference: " + e.getMessage());
      }
      return ErrorResponses.of(request, e);
    }
  }

  static HttpResponseMessage heParams(EncryptedInference inference, HttpRequestMessage<?> request) {
    return json(request, HttpStatus.OK, inference.heParams());
  }

  private static String header(HttpRequestMessage<?> request, String name) {
    String v = request.getHeaders().get(name);
    if (v != null) {
      return v;
    }
    for (Map.Entry<String, String> e : request.getHeaders().entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  static HttpResponseMessage json(HttpRequestMessage<?> request, HttpStatus status, Object body) {
    try {
      return request
          .createResponseBuilder(status)
          .header("Content-Type", "application/json")
          .body(JSON.writeValueAsString(body))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
