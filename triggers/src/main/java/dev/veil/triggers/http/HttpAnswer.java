package dev.veil.triggers.http;

import com.microsoft.azure.functions.HttpResponseMessage;
import dev.veil.runtime.spi.Conversions;
import dev.veil.runtime.spi.InvocationCodec;
import dev.veil.runtime.spi.TriggerInput;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an HTTP function's return value sends: status, headers and body bytes. Built on the node
 * that ran the function, so a result from another cluster node answers exactly as a local one.
 *
 * @param headers name, value, name, value, ...
 * @param body null for no body
 */
record HttpAnswer(int status, List<String> headers, Buffer body) {

  /** The answer for a function's return value; throws when the value cannot be serialized. */
  static HttpAnswer of(Object value) {
    if (value instanceof HttpAnswer answer)
      return answer; // already built on the node that ran the function
    if (value == null) return new HttpAnswer(204, List.of(), null);
    int status = 200;
    List<String> headers = new ArrayList<>();
    boolean typed = false; // whether the function chose a content type itself
    Object body = value;
    if (value instanceof HttpResponseMessage message) {
      status = message.getStatusCode();
      if (message instanceof VeilHttpResponse own) {
        for (Map.Entry<String, String> h : own.headers().entrySet())
          headers.addAll(List.of(h.getKey(), h.getValue()));
        typed = own.headers().containsKey("content-type");
      }
      body = message.getBody();
    }
    Buffer bytes;
    if (body == null) {
      bytes = null;
    } else if (body instanceof byte[] raw) {
      if (!typed) headers.addAll(List.of("content-type", "application/octet-stream"));
      bytes = Buffer.buffer(raw);
    } else if (body instanceof String text) {
      if (!typed) headers.addAll(List.of("content-type", "text/plain; charset=utf-8"));
      bytes = Buffer.buffer(text);
    } else {
      String json =
          Conversions.toJsonAsTheAzureWorker(
              body); // Gson's rules, as Azure's Java worker writes a POJO
      if (!typed) headers.addAll(List.of("content-type", "application/json"));
      bytes = Buffer.buffer(json);
    }
    return new HttpAnswer(status, headers, bytes);
  }

  void write(HttpServerResponse response) {
    response.setStatusCode(status);
    for (int i = 0; i + 1 < headers.size(); i += 2)
      response.putHeader(headers.get(i), headers.get(i + 1));
    if (body == null) response.end();
    else response.end(body);
  }

  /**
   * The HTTP trigger's {@link InvocationCodec}: requests as {@link HttpInput}, results as answers.
   */
  static final InvocationCodec CODEC =
      new InvocationCodec() {
        @Override
        public TriggerInput decodeInput(Buffer encoded) {
          return HttpInput.decode(encoded);
        }

        @Override
        public Buffer encodeResult(Object returnValue) {
          HttpAnswer answer = of(returnValue);
          Buffer head =
              new JsonObject()
                  .put("s", answer.status)
                  .put("h", new JsonArray(answer.headers))
                  .put("b", answer.body != null)
                  .toBuffer();
          Buffer out = Buffer.buffer().appendInt(head.length()).appendBuffer(head);
          return answer.body == null ? out : out.appendBuffer(answer.body);
        }

        @Override
        public Object decodeResult(Buffer encoded) {
          int headLength = encoded.getInt(0);
          JsonObject head = new JsonObject(encoded.slice(4, 4 + headLength));
          List<String> headers = head.getJsonArray("h").stream().map(String::valueOf).toList();
          return new HttpAnswer(
              head.getInteger("s"),
              headers,
              head.getBoolean("b") ? encoded.slice(4 + headLength, encoded.length()) : null);
        }
      };
}
