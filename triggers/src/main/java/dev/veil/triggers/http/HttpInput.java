package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.FunctionParameter;
import dev.veil.runtime.spi.InvocationFailure;
import dev.veil.runtime.spi.RemoteInput;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * An authorized, size-checked HTTP request as a function's trigger input: bound to the parameter on
 * a worker thread, or encoded for another cluster node (method, URI, headers, query, body) and
 * rebuilt there.
 */
final class HttpInput implements RemoteInput {
  private final String method;
  private final Supplier<String> absoluteUri;
  private final MultiMap headers;
  private final Map<String, String> query;
  private final Map<String, String> routeValues;
  private final byte[] body;
  private final boolean asText;
  private final AffinitySources affinity;
  private final AtomicBoolean handedOver = new AtomicBoolean();

  HttpInput(
      String method,
      Supplier<String> absoluteUri,
      MultiMap headers,
      Map<String, String> query,
      Map<String, String> routeValues,
      byte[] body,
      boolean asText,
      AffinitySources affinity) {
    this.method = method;
    this.absoluteUri = absoluteUri;
    this.headers = headers;
    this.query = query;
    this.routeValues = routeValues;
    this.body = body;
    this.asText = asText;
    this.affinity = affinity;
  }

  /**
   * The body as the function's argument: the received array itself the first time (the bytes are
   * not copied again on their way to the function), a copy if the input is bound again.
   */
  @Override
  public Object bind(FunctionParameter parameter) {
    byte[] raw =
        body.length == 0 ? null : handedOver.compareAndSet(false, true) ? body : body.clone();
    Object bytes =
        raw != null && asText ? new String(raw, charset(headers.get("content-type"))) : raw;
    if (parameter.rawType() != HttpRequestMessage.class) {
      if (bytes == null && parameter.rawType() != Optional.class) {
        throw InvocationFailure.badInput(
            "the request has no body; expected " + parameter.rawType().getSimpleName());
      }
      return Conversions.convert(bytes, parameter.type(), "request body");
    }
    Object converted = Conversions.convert(bytes, parameter.typeArgument(0), "request body");
    return new VeilHttpRequest<>(absoluteUri, headers, HttpMethod.value(method), query, converted);
  }

  @Override
  public String placementKey() {
    return affinity.find(headers, query, routeValues, body);
  }

  /** GET, HEAD and OPTIONS change nothing (RFC 9110), so they may run twice. */
  @Override
  public boolean idempotent() {
    return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
  }

  /**
   * A 4-byte length, a JSON head (method, URI, headers, query, text flag), then the body as sent.
   */
  @Override
  public Buffer encode() {
    JsonArray headerList = new JsonArray();
    headers.forEach((name, value) -> headerList.add(name).add(value));
    Buffer head =
        new JsonObject()
            .put("m", method)
            .put("u", absoluteUri.get())
            .put("h", headerList)
            .put("q", new JsonObject(new HashMap<>(query)))
            .put("t", asText)
            .toBuffer();
    return Buffer.buffer(4 + head.length() + body.length)
        .appendInt(head.length())
        .appendBuffer(head)
        .appendBytes(body);
  }

  /** The input {@link #encode()} wrote. */
  static HttpInput decode(Buffer encoded) {
    int headLength = encoded.getInt(0);
    JsonObject head = new JsonObject(encoded.slice(4, 4 + headLength));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    JsonArray list = head.getJsonArray("h");
    for (int i = 0; i + 1 < list.size(); i += 2)
      headers.add(list.getString(i), list.getString(i + 1));
    Map<String, String> query = new HashMap<>();
    head.getJsonObject("q").forEach(e -> query.put(e.getKey(), String.valueOf(e.getValue())));
    String uri = head.getString("u");
    return new HttpInput(
        head.getString("m"),
        () -> uri,
        headers,
        Map.copyOf(query),
        Map.of(),
        encoded.getBytes(4 + headLength, encoded.length()),
        head.getBoolean("t"),
        AffinitySources.NONE);
  }

  /**
   * The charset a Content-Type header names; UTF-8 when it names none or one this JVM does not
   * know.
   */
  private static Charset charset(String contentType) {
    if (contentType == null) return StandardCharsets.UTF_8;
    for (String part : contentType.split(";")) {
      String p = part.strip();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) {
        try {
          return Charset.forName(p.substring(8).replace("\"", "").strip());
        } catch (IllegalArgumentException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }
}
