package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The {@code HttpRequestMessage<T>} a function receives; {@code T} is chosen by the parameter's
 * declared type. The URI and the header map are built only when the function asks for them.
 */
final class VeilHttpRequest<T> implements HttpRequestMessage<T> {
  private final Supplier<String> absoluteUri;
  private final MultiMap requestHeaders;
  private final HttpMethod method;
  private final Map<String, String> query;
  private final T body;
  private volatile Map<String, String> headers;

  VeilHttpRequest(
      Supplier<String> absoluteUri,
      MultiMap requestHeaders,
      HttpMethod method,
      Map<String, String> query,
      T body) {
    this.absoluteUri = absoluteUri;
    this.requestHeaders = requestHeaders;
    this.method = method;
    this.query = query;
    this.body = body;
  }

  @Override
  public URI getUri() {
    return URI.create(absoluteUri.get());
  }

  @Override
  public HttpMethod getHttpMethod() {
    return method;
  }

  @Override
  public Map<String, String> getQueryParameters() {
    return query;
  }

  @Override
  public T getBody() {
    return body;
  }

  /** Case-insensitive names, as in Azure; the first value of a repeated header. */
  @Override
  public Map<String, String> getHeaders() {
    Map<String, String> map = headers;
    if (map == null) {
      Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      requestHeaders.forEach(e -> copy.putIfAbsent(e.getKey(), e.getValue()));
      headers = map = Collections.unmodifiableMap(copy);
    }
    return map;
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new VeilHttpResponse.Builder(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new VeilHttpResponse.Builder(status);
  }
}
