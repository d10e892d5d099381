package dev.veil.functions.encrypted;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request handed straight to a function's handler, for tests that need a host configured
 * differently from the shared one (here: key storage that is down). The response keeps status,
 * headers and body.
 */
record InProcessRequest(Map<String, String> query, Map<String, String> headers, byte[] body)
    implements HttpRequestMessage<Optional<byte[]>> {

  @Override
  public URI getUri() {
    return URI.create("http://127.0.0.1/api/encrypted-mnist");
  }

  @Override
  public HttpMethod getHttpMethod() {
    return HttpMethod.POST;
  }

  @Override
  public Map<String, String> getHeaders() {
    return headers;
  }

  @Override
  public Map<String, String> getQueryParameters() {
    return query;
  }

  @Override
  public Optional<byte[]> getBody() {
    return Optional.ofNullable(body);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new Response(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new Response(status);
  }

  /** Response and its builder in one (the handler builds each response once). */
  static final class Response implements HttpResponseMessage, HttpResponseMessage.Builder {
    private HttpStatusType status;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private Object body;

    Response(HttpStatusType status) {
      this.status = status;
    }

    @Override
    public HttpStatusType getStatus() {
      return status;
    }

    @Override
    public String getHeader(String name) {
      return headers.get(name);
    }

    @Override
    public Object getBody() {
      return body;
    }

    @Override
    public Builder status(HttpStatusType status) {
      this.status = status;
      return this;
    }

    @Override
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    @Override
    public Builder body(Object body) {
      this.body = body;
      return this;
    }

    @Override
    public HttpResponseMessage build() {
      return this;
    }
  }
}
