package dev.veil.functions.breastcancer;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.veil.functions.http.ErrorResponses;
import dev.veil.functions.http.FunctionFailure;
import java.util.Optional;

/**
 * Plaintext breast-cancer diagnosis: {@code POST /api/breast-cancer} with {@code {"data": [[30
 * numbers], ...]}} answers {@code {"predictions": [0|1, ...], "probabilities": [[p_benign,
 * p_malignant], ...]}}. Bad input answers 400 with {@code {"error": "..."}} naming the problem.
 */
public class BreastCancerFunction {

  // init: the model is loaded once per process, not per invocation
  private static final BreastCancerModel MODEL = BreastCancerModel.bundled();

  @FunctionName("breast-cancer")
  public HttpResponseMessage run(
      @HttpTrigger(
              name = "req",
              methods = {HttpMethod.POST},
              authLevel = AuthorizationLevel.FUNCTION,
              route = "breast-cancer")
          HttpRequestMessage<Optional<String>> request,
      ExecutionContext context) {
    double[][] rows;
    try {
      rows = ScoringJson.parseRows(request.getBody().orElse(null), MODEL.featureCount());
    } catch (FunctionFailure e) {
      return ErrorResponses.of(request, e);
    }
    BreastCancerModel.Prediction prediction = MODEL.predict(rows);
    context.getLogger().fine(() -> "scored " + rows.length + " rows");
    return json(request, HttpStatus.OK, ScoringJson.predictions(prediction));
  }

  private static HttpResponseMessage json(
      HttpRequestMessage<?> request, HttpStatus status, String body) {
    return request
        .createResponseBuilder(status)
        .header("Content-Type", "application/json")
        .body(body)
        .build();
  }
}
