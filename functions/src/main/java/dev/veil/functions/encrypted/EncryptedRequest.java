package dev.veil.functions.encrypted;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.http.MultipartForm;
import dev.veil.functions.keys.KeyRef;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One encrypted-inference request, in any of the accepted shapes:
 *
 * <ul>
 *   <li>{@code application/json}: {@code {"data": <base64 SEAL ciphertext>, "key_id": "...",
 *       "container": "...", "key_fingerprint": "<hex, optional>", "conn_str": "<only when
 *       enabled>"}} (the seed service's shape);
 *   <li>{@code application/octet-stream}: the body is the ciphertext; key_id, container (and
 *       optionally key_fingerprint) come from the query string or {@code x-veil-key-id}, {@code
 *       x-veil-container}, {@code x-veil-key-fingerprint} headers;
 *   <li>{@code multipart/form-data}: a {@code data} part with the ciphertext and {@code key_id},
 *       {@code container}, {@code key_fingerprint} fields.
 * </ul>
 *
 * Every failure is a {@link FunctionFailure#badInput bad-input failure} whose message names the
 * problem (HTTP 400).
 */
public record EncryptedRequest(
    CiphertextBytes ciphertext,
    KeyRef keyRef,
    String keyFingerprint,
    String connectionString,
    boolean binary) {

  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> JSON_FIELDS =
      Set.of("key_id", "container", "key_fingerprint", "conn_str");

  /**
   * @param header case-insensitive request header lookup (null when absent)
   * @param query query parameter lookup (null when absent)
   */
  public static EncryptedRequest parse(
      byte[] body, UnaryOperator<String> header, UnaryOperator<String> query) {
    if (body == null || body.length == 0) {
      throw FunctionFailure.badInput(
          "the request has no body; send JSON {\"data\", \"key_id\", \"container\"},"
              + " an application/octet-stream ciphertext, or multipart/form-data");
    }
    String contentType = header.apply("content-type");
    String type =
        contentType == null ? "application/json" : contentType.toLowerCase(Locale.ROOT).trim();
    if (type.startsWith("application/octet-stream")) {
      Map<String, String> fields = new HashMap<>();
      for (String name : new String[] {"key_id", "container", "key_fingerprint"}) {
        String v = query.apply(name);
        fields.put(name, v != null ? v : header.apply("x-veil-" + name.replace('_', '-')));
      }
      return of(CiphertextBytes.of(body), fields, true);
    }
    if (type.startsWith("multipart/form-data")) {
      byte[] data = null;
      Map<String, String> fields = new HashMap<>();
      for (MultipartForm.Part part : MultipartForm.parse(body, contentType)) {
        if ("data".equals(part.name())) {
          data = part.content();
        } else if (part.name() != null) {
          fields.put(part.name(), part.text());
        }
      }
      if (data == null) {
        throw FunctionFailure.badInput("the multipart body has no 'data' part with the ciphertext");
      }
      return of(CiphertextBytes.of(data), fields, false);
    }
    if (!type.startsWith("application/json") && !type.startsWith("text/plain")) {
      throw FunctionFailure.badInput(
          "unsupported content type '"
              + contentType
              + "'; use application/json, application/octet-stream or multipart/form-data");
    }
    return parseJson(body);
  }

  /**
   * Streams through the JSON object; the base64 'data' string is located in the body and left there
   * (the engine decodes it straight into native memory), checked here only for its characters and
   * padding.
   */
  private static EncryptedRequest parseJson(byte[] body) {
    CiphertextBytes ciphertext = null;
    Map<String, String> fields = new HashMap<>();
    String problem = null; // reported once the whole body has proved to be JSON
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        problem = "the JSON body must be an object with data, key_id and container";
        p.skipChildren();
      }
      while (problem == null && p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("data".equals(name) && value == JsonToken.VALUE_STRING) {
          ciphertext = base64Data(p, body);
        } else if ("data".equals(name)) {
          problem = "'data' must be the base64 SEAL ciphertext";
        } else if (JSON_FIELDS.contains(name)
            && value != JsonToken.VALUE_NULL
            && value != JsonToken.VALUE_STRING) {
          problem = "'" + name + "' must be a string";
        } else if (JSON_FIELDS.contains(name) && value == JsonToken.VALUE_STRING) {
          fields.put(name, p.getText());
        }
        p.skipChildren();
      }
      while (p.nextToken() != null) {
        p.skipChildren(); // the rest must still be well-formed
      }
    } catch (IOException e) {
      throw FunctionFailure.badInput("the body is not valid JSON");
    }
    if (problem != null) {
      throw FunctionFailure.badInput(problem);
    }
    if (ciphertext == null) {
      throw FunctionFailure.badInput("'data' must be the base64 SEAL ciphertext");
    }
    return of(ciphertext, fields, false);
  }

  /**
   * The 'data' string at the parser's current token, as a range of the body when it holds no
   * escapes.
   */
  private static CiphertextBytes base64Data(JsonParser p, byte[] body) throws IOException {
    long quote = p.currentTokenLocation().getByteOffset();
    if (quote >= 0 && quote < body.length && body[(int) quote] == '"') {
      int from = (int) quote + 1;
      int end = from;
      while (end < body.length && body[end] != '"' && body[end] != '\\') {
        end++;
      }
      if (end < body.length && body[end] == '"') {
        checkBase64(body, from, end);
        return new CiphertextBytes(body, from, end - from, true);
      }
    }
    // escaped characters (or a body that is not UTF-8): decode the string's text
    String text = p.getText();
    if (text.isEmpty()) {
      throw FunctionFailure.badInput("'data' must be the base64 SEAL ciphertext");
    }
    try {
      return CiphertextBytes.of(Base64.getDecoder().decode(text.replaceAll("\\s", "")));
    } catch (IllegalArgumentException e) {
      throw FunctionFailure.badInput("'data' is not valid base64");
    }
  }

  /** Classes of bytes in base64 text: 0 anything else, then the alphabet, whitespace, padding. */
  private static final byte[] BASE64_CLASS = new byte[256];

  private static final byte DIGIT = 1, SPACE = 2, PAD = 3;

  static {
    for (char c :
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray()) {
      BASE64_CLASS[c] = DIGIT;
    }
    BASE64_CLASS[' '] = BASE64_CLASS['\n'] = BASE64_CLASS['\r'] = BASE64_CLASS['\t'] = SPACE;
    BASE64_CLASS['='] = PAD;
  }

  /**
   * What the engine's decoder accepts: alphabet and whitespace, then at most the padding the last
   * group needs.
   */
  private static void checkBase64(byte[] body, int from, int end) {
    if (from == end) {
      throw FunctionFailure.badInput("'data' must be the base64 SEAL ciphertext");
    }
    int i = from;
    while (i < end && BASE64_CLASS[body[i] & 0xFF] == DIGIT) {
      i++; // the bulk: one table lookup per byte
    }
    long sextets = i - from;
    int pads = 0;
    for (; i < end; i++) {
      byte kind = BASE64_CLASS[body[i] & 0xFF];
      if (kind == DIGIT && pads == 0) {
        sextets++;
      } else if (kind != SPACE && (kind != PAD || ++pads > 2)) {
        throw FunctionFailure.badInput("'data' is not valid base64");
      }
    }
    if (sextets == 0) {
      throw FunctionFailure.badInput("the ciphertext is empty");
    }
    int tail = (int) (sextets % 4);
    if (tail == 1 || (pads > 0 && (tail == 0 || pads > 4 - tail))) {
      throw FunctionFailure.badInput("'data' is not valid base64");
    }
  }

  private static EncryptedRequest of(
      CiphertextBytes ciphertext, Map<String, String> fields, boolean binary) {
    if (ciphertext.length() == 0) {
      throw FunctionFailure.badInput("the ciphertext is empty");
    }
    String fingerprint = fields.get("key_fingerprint");
    if (fingerprint != null && !fingerprint.matches("[0-9a-fA-F]{64}")) {
      throw FunctionFailure.badInput(
          "key_fingerprint must be 64 hex digits (SHA-256 of the key bundle)");
    }
    return new EncryptedRequest(
        ciphertext,
        new KeyRef(fields.get("container"), fields.get("key_id")),
        fingerprint == null ? null : fingerprint.toLowerCase(Locale.ROOT),
        fields.get("conn_str"),
        binary);
  }
}
