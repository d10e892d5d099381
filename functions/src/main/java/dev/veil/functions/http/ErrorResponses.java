package dev.veil.functions.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import java.util.Map;

/**
 * The one place a {@link FunctionFailure}'s meaning becomes an HTTP answer: its status, {@code
 * {"error": message}}, and {@code Retry-After} on a 503. Functions let every other exception go:
 * the host answers it with 500.
 */
public final class ErrorResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  public static HttpResponseMessage of(HttpRequestMessage<?> request, FunctionFailure failure) {
    return of(request, failure, failure.getMessage());
  }

  /** As {@link #of(HttpRequestMessage, FunctionFailure)} with the message the client sees. */
  public static HttpResponseMessage of(
      HttpRequestMessage<?> request, FunctionFailure failure, String message) {
    HttpResponseMessage.Builder builder =
        request
            .createResponseBuilder(HttpStatusType.custom(failure.meaning().status()))
            .header("Content-Type", "application/json");
    if (failure.meaning() == FunctionFailure.Meaning.UNAVAILABLE) {
      builder.header("Retry-After", Integer.toString(failure.retryAfterSeconds()));
    }
    try {
      return builder
          .body(JSON.writeValueAsString(Map.of("error", String.valueOf(message))))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a map of two strings always serializes
    }
  }
}
