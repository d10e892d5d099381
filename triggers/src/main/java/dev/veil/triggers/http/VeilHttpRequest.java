package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.Map;

/**
 * The {@code HttpRequestMessage<T>} a function receives; {@code T} is chosen by the parameter's declared type.
 * The URI is parsed only when the function asks for it.
 */
record VeilHttpRequest<T>(HttpServerRequest request, HttpMethod method, Map<String, String> headers,
    Map<String, String> query, T body) implements HttpRequestMessage<T> {

  @Override public URI getUri() { return URI.create(request.absoluteURI()); }
  @Override public HttpMethod getHttpMethod() { return method; }
  @Override public Map<String, String> getHeaders() { return headers; }
  @Override public Map<String, String> getQueryParameters() { return query; }
  @Override public T getBody() { return body; }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new VeilHttpResponse.Builder(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new VeilHttpResponse.Builder(status);
  }
}
