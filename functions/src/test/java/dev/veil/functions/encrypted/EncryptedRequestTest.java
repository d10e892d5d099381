package dev.veil.functions.encrypted;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.veil.functions.http.FunctionFailure;
import dev.veil.functions.keys.InvalidKeyRefException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncryptedRequestTest {

  private static final byte[] CT = {0x5E, (byte) 0xA1, 0x10, 4, 1, 0, 0, 0, 9, 9, 9};
  private static final String FP = "ab".repeat(32);

  private static EncryptedRequest parse(
      byte[] body, Map<String, String> headers, Map<String, String> query) {
    return EncryptedRequest.parse(body, headers::get, query::get);
  }

  @Test
  void jsonShapeOfTheSeedService() {
    String json =
        "{\"data\":\""
            + java.util.Base64.getEncoder().encodeToString(CT)
            + "\",\"key_id\":\"alice\",\"container\":\"veil-keys\",\"key_fingerprint\":\""
            + FP
            + "\"}";
    EncryptedRequest r =
        parse(
            json.getBytes(StandardCharsets.UTF_8),
            Map.of("content-type", "application/json"),
            Map.of());
    assertArrayEquals(CT, r.ciphertext().toByteArray());
    assertEquals("veil-keys/alice", r.keyRef().toString());
    assertEquals(FP, r.keyFingerprint());
    assertNull(r.connectionString());
  }

  @Test
  void jsonDataStaysInTheBodyAsBase64Text() {
    String b64 = java.util.Base64.getEncoder().encodeToString(CT);
    byte[] body =
        ("{\"key_id\":\"alice\",\"extra\":{\"x\":[1,\"data\"]},\"data\": \""
                + b64
                + "\",\"container\":\"veil-keys\"}")
            .getBytes(StandardCharsets.UTF_8);
    EncryptedRequest r = parse(body, Map.of("content-type", "application/json"), Map.of());
    assertTrue(r.ciphertext().base64());
    assertSame(body, r.ciphertext().source());
    assertEquals(
        b64,
        new String(
            body, r.ciphertext().offset(), r.ciphertext().length(), StandardCharsets.US_ASCII));
    assertEquals("veil-keys/alice", r.keyRef().toString());

    // JSON escapes ("\n" line breaks, "\/") are decoded from the string's text instead, to the same
    // bytes
    String escaped = b64.substring(0, 8) + "\\n" + b64.substring(8).replace("/", "\\/");
    EncryptedRequest e =
        parse(
            ("{\"data\":\"" + escaped + "\",\"key_id\":\"a\",\"container\":\"abc\"}")
                .getBytes(StandardCharsets.UTF_8),
            Map.of("content-type", "application/json"),
            Map.of());
    assertFalse(e.ciphertext().base64());
    assertArrayEquals(CT, e.ciphertext().toByteArray());
  }

  @Test
  void octetStreamTakesNamesFromQueryOrHeaders() {
    EncryptedRequest r =
        parse(
            CT,
            Map.of("content-type", "application/octet-stream", "x-veil-container", "veil-keys"),
            Map.of("key_id", "bob"));
    assertArrayEquals(CT, r.ciphertext().toByteArray());
    assertEquals("veil-keys/bob", r.keyRef().toString());
    assertTrue(r.binary());
  }

  @Test
  void multipartWithBinaryPart() throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String b = "XyZ123";
    body.writeBytes(
        ("--" + b + "\r\nContent-Disposition: form-data; name=\"key_id\"\r\n\r\ncarol\r\n")
            .getBytes());
    body.writeBytes(
        ("--" + b + "\r\nContent-Disposition: form-data; name=\"container\"\r\n\r\nveil-keys\r\n")
            .getBytes());
    body.writeBytes(
        ("--"
                + b
                + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x.ct\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n")
            .getBytes());
    byte[] tricky = {13, 10, 45, 45, 0, (byte) 0xFF, 13, 10}; // CRLF and dashes inside the data
    body.writeBytes(tricky);
    body.writeBytes(("\r\n--" + b + "--\r\n").getBytes());
    EncryptedRequest r =
        parse(
            body.toByteArray(),
            Map.of("content-type", "multipart/form-data; boundary=" + b),
            Map.of());
    assertArrayEquals(tricky, r.ciphertext().toByteArray());
    assertEquals("veil-keys/carol", r.keyRef().toString());
  }

  @Test
  void badRequestsNameTheProblem() {
    Map<String, String> json = Map.of("content-type", "application/json");
    assertMessage("no body", () -> parse(new byte[0], json, Map.of()));
    assertMessage("not valid JSON", () -> parse("{".getBytes(), json, Map.of()));
    assertMessage(
        "'data'",
        () -> parse("{\"key_id\":\"a\",\"container\":\"abc\"}".getBytes(), json, Map.of()));
    for (String bad :
        new String[] {"!!!", "QUJD=A", "A", "QUJDR", "AAAA=", "QQ===", "QUJD\\nRA=x"}) {
      assertMessage(
          "base64",
          () ->
              parse(
                  ("{\"data\":\"" + bad + "\",\"key_id\":\"a\",\"container\":\"abc\"}").getBytes(),
                  json,
                  Map.of()));
    }
    assertMessage(
        "empty",
        () ->
            parse(
                "{\"data\":\"  \",\"key_id\":\"a\",\"container\":\"abc\"}".getBytes(),
                json,
                Map.of()));
    assertMessage(
        "'data'",
        () ->
            parse(
                "{\"data\":7,\"key_id\":\"a\",\"container\":\"abc\"}".getBytes(), json, Map.of()));
    assertMessage(
        "'key_id' must be a string",
        () -> parse("{\"data\":\"AAAA\",\"key_id\":[1]}".getBytes(), json, Map.of()));
    assertMessage("must be an object", () -> parse("[1]".getBytes(), json, Map.of()));
    assertMessage(
        "key_fingerprint",
        () ->
            parse(
                ("{\"data\":\"AAAA\",\"key_id\":\"a\",\"container\":\"abc\","
                        + "\"key_fingerprint\":\"xyz\"}")
                    .getBytes(),
                json,
                Map.of()));
    assertMessage(
        "unsupported content type", () -> parse(CT, Map.of("content-type", "image/png"), Map.of()));
    assertMessage(
        "boundary", () -> parse(CT, Map.of("content-type", "multipart/form-data"), Map.of()));
    InvalidKeyRefException e =
        assertThrows(
            InvalidKeyRefException.class,
            () ->
                parse(
                    "{\"data\":\"AAAA\",\"key_id\":\"../../etc/passwd\",\"container\":\"abc\"}"
                        .getBytes(),
                    json,
                    Map.of()));
    assertTrue(e.getMessage().startsWith("key_id"));
    assertThrows(
        InvalidKeyRefException.class,
        () -> parse(CT, Map.of("content-type", "application/octet-stream"), Map.of()));
  }

  private static void assertMessage(
      String fragment, org.junit.jupiter.api.function.Executable call) {
    FunctionFailure e = assertThrows(FunctionFailure.class, call);
    assertEquals(FunctionFailure.Meaning.BAD_INPUT, e.meaning());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
