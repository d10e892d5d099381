package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatusType;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The response a function builds with {@code request.createResponseBuilder(status)}. */
final class VeilHttpResponse implements HttpResponseMessage {
  private final HttpStatusType status;
  private final Map<String, String> headers;
  private final Object body;

  private VeilHttpResponse(HttpStatusType status, Map<String, String> headers, Object body) {
    this.status = status;
    this.headers = Collections.unmodifiableMap(headers);
    this.body = body;
  }

  @Override
  public HttpStatusType getStatus() {
    return status;
  }

  @Override
  public String getHeader(String name) {
    return headers.get(name);
  }

  /** All headers (case-insensitive names). */
  Map<String, String> headers() {
    return headers;
  }

  @Override
  public Object getBody() {
    return body;
  }

  static final class Builder implements HttpResponseMessage.Builder {
    private HttpStatusType status;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private Object body;

    Builder(HttpStatusType status) {
      this.status = status;
    }

    @Override
    public HttpResponseMessage.Builder status(HttpStatusType status) {
      this.status = status;
      return this;
    }

    @Override
    public HttpResponseMessage.Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    @Override
    public HttpResponseMessage.Builder body(Object body) {
      this.body = body;
      return this;
    }

    @Override
    public HttpResponseMessage build() {
      if (status == null) throw new IllegalStateException("an HTTP response needs a status");
      // new TreeMap<>(Map) would sort by natural (case-sensitive) order and lose "Content-Type" ==
      // "content-type".
      Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      copy.putAll(headers);
      return new VeilHttpResponse(status, copy, body);
    }
  }
}
